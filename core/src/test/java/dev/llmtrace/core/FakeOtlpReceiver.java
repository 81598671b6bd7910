package dev.llmtrace.core;

import dev.llmtrace.core.grpc.Tenants;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real OTLP/gRPC server on a real port, standing in for a backend (or a next hop) in tests.
 * It records every request with its metadata and can be told to fail.
 */
public final class FakeOtlpReceiver implements AutoCloseable {
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");

    /** One received request and the metadata it came with. */
    public record Received(ExportTraceServiceRequest request, Metadata headers) {
        public String tenant() {
            return headers.get(Tenants.HEADER);
        }
    }

    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Status> failWith = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong delayMillis = new java.util.concurrent.atomic.AtomicLong();
    private final Server server;

    public FakeOtlpReceiver(int port) {
        TraceServiceGrpc.TraceServiceImplBase service = new TraceServiceGrpc.TraceServiceImplBase() {
            @Override
            public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> responses) {
                long delay = delayMillis.get();
                if (delay > 0) {
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                Status failure = failWith.get();
                if (failure != null) {
                    responses.onError(failure.asRuntimeException());
                    return;
                }
                received.add(new Received(request, HEADERS.get()));
                responses.onNext(ExportTraceServiceResponse.getDefaultInstance());
                responses.onCompleted();
            }
        };
        io.grpc.ServerInterceptor capture = new io.grpc.ServerInterceptor() {
            @Override
            public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, R> call, Metadata headers,
                    io.grpc.ServerCallHandler<Q, R> next) {
                return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, headers, next);
            }
        };
        try {
            this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                    .maxInboundMessageSize(64 << 20)
                    .addService(ServerInterceptors.intercept(service, capture))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start fake OTLP receiver on port " + port, e);
        }
    }

    public static FakeOtlpReceiver onFreePort() {
        return new FakeOtlpReceiver(FreePorts.next());
    }

    public int port() {
        return server.getPort();
    }

    /**
     * Config that points a Quarkus gRPC client at this receiver. In test mode Quarkus aims clients at
     * {@code test-port}, which defaults to the service's own gRPC test port, so both are set.
     */
    public Map<String, String> asQuarkusGrpcClient(String client) {
        String port = Integer.toString(port());
        return Map.of("quarkus.grpc.clients." + client + ".port", port, "quarkus.grpc.clients." + client + ".test-port", port);
    }

    /** From now on answer every call with {@code status} (null: accept again). */
    /** Answers every call this much later: a slow destination. */
    public void slowBy(java.time.Duration delay) {
        delayMillis.set(delay.toMillis());
    }

    public void failWith(Status status) {
        failWith.set(status);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public void clear() {
        received.clear();
    }

    /** Every span received so far, keyed by hex span id, with the resource and scope it came under. */
    public Map<String, SpanInContext> spansById() {
        Map<String, SpanInContext> byId = new java.util.HashMap<>();
        for (Received r : received) {
            for (ResourceSpans rs : r.request().getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    for (Span span : ss.getSpansList()) {
                        byId.put(dev.llmtrace.core.otlp.Hex.encode(span.getSpanId()), new SpanInContext(rs, ss, span, r.tenant()));
                    }
                }
            }
        }
        return byId;
    }

    public int spanCount() {
        int n = 0;
        for (Received r : received) {
            n += dev.llmtrace.core.otlp.Spans.count(r.request());
        }
        return n;
    }

    /** A span with the resource and scope it arrived under. */
    public record SpanInContext(ResourceSpans resourceSpans, ScopeSpans scopeSpans, Span span, String tenant) {}

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** All spans, flattened, for counting. */
    public List<Span> spans() {
        List<Span> all = new ArrayList<>();
        spansById().values().forEach(s -> all.add(s.span()));
        return all;
    }
}
