package dev.llmtrace.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.CodedOutputStream;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.grpc.BatchIds;
import dev.llmtrace.core.grpc.SerializedExport;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.core.otlp.OtlpJson;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** enrich over its real gRPC port: forwards with the tenant and answers with export's verdict. */
@QuarkusTest
@QuarkusTestResource(value = FakeExport.class, restrictToAnnotatedClass = true)
class EnrichPassThroughTest {
    ManagedChannel channel;
    TraceServiceGrpc.TraceServiceBlockingStub stub;

    @BeforeEach
    void open() {
        channel = ManagedChannelBuilder.forAddress("localhost", 24417).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(Tenants.HEADER, "acme");
        stub = TraceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        FakeExport.receiver.clear();
        FakeExport.receiver.failWith(null);
    }

    @AfterEach
    void close() {
        channel.shutdownNow();
    }

    @Test
    void forwardsEnrichedWithTheTenant() {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        stub.export(request);
        assertEquals(1, FakeExport.receiver.received().size());
        ExportTraceServiceRequest got = FakeExport.receiver.received().get(0).request();
        assertEquals("acme", FakeExport.receiver.received().get(0).tenant());
        var sentSpan = request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        var gotSpan = got.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertEquals(request.getResourceSpans(0).getResource(), got.getResourceSpans(0).getResource());
        assertEquals(sentSpan.getAttributesList(), gotSpan.getAttributesList().subList(0, sentSpan.getAttributesCount()),
                "what arrived is kept, in order; enrich only adds");
        assertEquals(sentSpan.toBuilder().clearAttributes().build(), gotSpan.toBuilder().clearAttributes().build());
        assertEquals(14 * 2.5e-6 + 9 * 1e-5, CostProcessorTest.cost(gotSpan, "gen_ai.usage.total_cost"), 1e-15);
    }

    /**
     * A resource given twice in one resource spans, which protobuf merges into one: enrich leaves such a request to
     * the whole-request path instead of its span-by-span walk, and the spans are enriched all the same.
     */
    @Test
    void aResourceGivenTwiceIsMergedAndTheSpansEnriched() throws Exception {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        ResourceSpans first = request.getResourceSpans(0);
        java.io.ByteArrayOutputStream resourceSpans = new java.io.ByteArrayOutputStream();
        first.writeTo(resourceSpans);
        CodedOutputStream again = CodedOutputStream.newInstance(resourceSpans);
        again.writeMessage(1, Resource.newBuilder().addAttributes(Attributes.string("deployment.environment", "staging")).build());
        again.flush();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        CodedOutputStream outer = CodedOutputStream.newInstance(bytes);
        outer.writeByteArray(1, resourceSpans.toByteArray());
        outer.flush();
        Metadata headers = new Metadata();
        headers.put(Tenants.HEADER, "acme");

        ClientCalls.blockingUnaryCall(ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
                SerializedExport.METHOD, CallOptions.DEFAULT, bytes.toByteArray());

        ExportTraceServiceRequest got = FakeExport.receiver.received().get(0).request();
        assertEquals(first.getResource().getAttributesCount() + 1, got.getResourceSpans(0).getResource().getAttributesCount());
        assertEquals(14 * 2.5e-6 + 9 * 1e-5, CostProcessorTest.cost(got.getResourceSpans(0).getScopeSpans(0).getSpans(0),
                "gen_ai.usage.total_cost"), 1e-15);
    }

    /** ingest's batch id reaches export through enrich's own threads, and a retry of the batch is not forwarded again. */
    @Test
    void theBatchIdIsPassedOnAndARetryIsTakenOnce() {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        Metadata batch = new Metadata();
        batch.put(BatchIds.HEADER, "batch-0001");
        var withId = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(batch));
        withId.export(request);
        withId.export(request); // ingest's retry after an answer it did not get
        assertEquals(1, FakeExport.receiver.received().size());
        assertEquals("batch-0001", FakeExport.receiver.received().get(0).headers().get(BatchIds.HEADER));
    }

    @Test
    void exportFailuresReachTheCallerSortedForRetry() {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        FakeExport.receiver.failWith(Status.UNAVAILABLE);
        assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class, () -> stub.export(request)).getStatus().getCode());
        FakeExport.receiver.failWith(Status.INTERNAL.withDescription("stream reset"));
        assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class, () -> stub.export(request)).getStatus().getCode(),
                "a hop going away is worth a retry");
        FakeExport.receiver.failWith(Status.INVALID_ARGUMENT.withDescription("bad data"));
        assertEquals(Status.Code.INVALID_ARGUMENT, assertThrows(StatusRuntimeException.class, () -> stub.export(request)).getStatus().getCode());
    }
}
