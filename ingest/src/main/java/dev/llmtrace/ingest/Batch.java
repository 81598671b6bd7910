package dev.llmtrace.ingest;

import dev.llmtrace.core.grpc.BatchIds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Buffered requests of one tenant forwarded to enrich as one call. An {@code ExportTraceServiceRequest}
 * has a single field, repeated, so the concatenation of serialized requests is itself the serialized
 * request holding all their resource spans: joining costs one copy and no parse. Every attempt of a batch
 * carries its {@code id}, so enrich and export take it once however often it is retried ({@code BatchIds}).
 */
record Batch(String id, String tenant, List<IngestBuffer.Item> items, int bytes, int spans) {

    /** The waiting items by tenant, in arrival order, cut so that no batch of several items exceeds {@code maxBytes}. */
    static List<Batch> of(List<IngestBuffer.Item> waiting, int maxBytes) {
        Map<String, List<IngestBuffer.Item>> byTenant = new LinkedHashMap<>();
        for (IngestBuffer.Item item : waiting) {
            byTenant.computeIfAbsent(item.tenant(), t -> new ArrayList<>()).add(item);
        }
        List<Batch> batches = new ArrayList<>();
        for (Map.Entry<String, List<IngestBuffer.Item>> tenant : byTenant.entrySet()) {
            List<IngestBuffer.Item> current = new ArrayList<>();
            int bytes = 0;
            for (IngestBuffer.Item item : tenant.getValue()) {
                if (!current.isEmpty() && bytes + item.bytes() > maxBytes) {
                    batches.add(of(tenant.getKey(), current, bytes));
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(item);
                bytes += item.bytes();
            }
            if (!current.isEmpty()) {
                batches.add(of(tenant.getKey(), current, bytes));
            }
        }
        return batches;
    }

    private static Batch of(String tenant, List<IngestBuffer.Item> items, int bytes) {
        int spans = 0;
        for (IngestBuffer.Item item : items) {
            spans += item.spans();
        }
        return new Batch(BatchIds.next(), tenant, List.copyOf(items), bytes, spans);
    }

    /**
     * The batch's request: its items' bytes joined, made when the forwarder takes the batch up, so a batch waiting
     * for a call holds no copy. A batch of one item that holds its bytes is those bytes.
     */
    byte[] request() {
        if (items.size() == 1 && items.get(0).request() != null) {
            return items.get(0).request();
        }
        byte[] joined = new byte[bytes];
        int at = 0;
        for (IngestBuffer.Item item : items) {
            item.copyRequest(joined, at);
            at += item.bytes();
        }
        return joined;
    }
}
