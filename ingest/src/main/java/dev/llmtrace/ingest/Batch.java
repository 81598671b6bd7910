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
record Batch(String id, String tenant, List<IngestBuffer.Item> items, byte[] request, int spans) {

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
                if (!current.isEmpty() && bytes + item.request().length > maxBytes) {
                    batches.add(join(tenant.getKey(), current));
                    current = new ArrayList<>();
                    bytes = 0;
                }
                current.add(item);
                bytes += item.request().length;
            }
            if (!current.isEmpty()) {
                batches.add(join(tenant.getKey(), current));
            }
        }
        return batches;
    }

    private static Batch join(String tenant, List<IngestBuffer.Item> items) {
        if (items.size() == 1) {
            IngestBuffer.Item only = items.get(0);
            return new Batch(BatchIds.next(), tenant, items, only.request(), only.spans());
        }
        int length = 0;
        int spans = 0;
        for (IngestBuffer.Item item : items) {
            length += item.request().length;
            spans += item.spans();
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (IngestBuffer.Item item : items) {
            System.arraycopy(item.request(), 0, joined, at, item.request().length);
            at += item.request().length;
        }
        return new Batch(BatchIds.next(), tenant, List.copyOf(items), joined, spans);
    }
}
