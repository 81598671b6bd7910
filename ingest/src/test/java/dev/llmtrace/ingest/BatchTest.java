package dev.llmtrace.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchTest {

    static IngestBuffer.Item item(String tenant, int n) {
        ExportTraceServiceRequest fixture = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
        ResourceSpans rs = fixture.getResourceSpans(0);
        ResourceSpans renamed = rs.toBuilder().setScopeSpans(0, rs.getScopeSpans(0).toBuilder().setSpans(0,
                rs.getScopeSpans(0).getSpans(0).toBuilder().setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 1, (byte) n})))).build();
        return new IngestBuffer.Item(tenant, ExportTraceServiceRequest.newBuilder().addResourceSpans(renamed).build().toByteArray(), 1);
    }

    @Test
    void joinedBytesParseAsOneRequestWithEveryResourceSpansInOrder() throws Exception {
        List<IngestBuffer.Item> waiting = List.of(item("a", 1), item("b", 2), item("a", 3), item("a", 4));
        List<Batch> batches = Batch.of(waiting, 1 << 20);
        assertEquals(2, batches.size());
        Batch a = batches.get(0);
        assertEquals("a", a.tenant());
        assertEquals(3, a.spans());
        ExportTraceServiceRequest joined = ExportTraceServiceRequest.parseFrom(a.request());
        List<ResourceSpans> expected = new ArrayList<>();
        for (int i : new int[] {0, 2, 3}) {
            expected.addAll(ExportTraceServiceRequest.parseFrom(waiting.get(i).request()).getResourceSpansList());
        }
        assertEquals(expected, joined.getResourceSpansList());
        assertEquals("b", batches.get(1).tenant());
        assertEquals(waiting.get(1).request(), batches.get(1).request(), "a batch of one is the item's own bytes");
    }

    @Test
    void batchesStayUnderMaxBytesButAnOversizeItemStillGoesAlone() {
        List<IngestBuffer.Item> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiting.add(item("t", i));
        }
        int one = waiting.get(0).request().length;
        List<Batch> batches = Batch.of(waiting, 3 * one + 1);
        assertEquals(List.of(3, 3, 3, 1), batches.stream().map(b -> b.items().size()).toList());
        assertTrue(batches.stream().allMatch(b -> b.request().length <= 3 * one + 1));
        assertEquals(List.of(1, 1), Batch.of(waiting.subList(0, 2), 10).stream().map(b -> b.items().size()).toList());
    }
}
