package dev.llmtrace.ingest;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.llmtrace.core.grpc.GrpcErrors;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Gauge;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * How many OTLP/gRPC calls may be receiving their message at once ({@code ingest.limits.max-grpc-calls-receiving}).
 * gRPC buffers a message off the heap, in Netty's direct memory, until all of it has come, before ingest sees it
 * and can charge it to {@link RequestMemory}: measured, 60 calls that each sent all but the last byte of a 4 MiB
 * message ran the all-in-one out of direct memory. So a call takes a slot worth the largest message when it
 * starts, before a byte of its message is read, and gives it back when the message has been read (or the call
 * ends). A call that finds no slot is refused at once with RESOURCE_EXHAUSTED and a retry delay, and its message
 * is never read. One tenant may take {@code ingest.memory.tenant-share} of the slots, so a tenant that stalls its
 * calls cannot shut the others out.
 */
@Singleton // made with the receiver at start, so its gauge is there before the first call
public class GrpcReceiveLimit implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(GrpcReceiveLimit.class);

    private final MemoryBudget slots;
    private final long slot;
    private final IngestConfig config;
    private final PipelineMetrics metrics;

    public GrpcReceiveLimit(IngestConfig config, @Identifier("ingest") PipelineMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.slot = config.limits().maxGrpcMessageBytes();
        this.slots = new MemoryBudget(slot * config.limits().maxGrpcCallsReceiving(), config.memory().tenantShare());
        warnIfOverHalfOfDirectMemory(slots.maxBytes());
        Gauge.builder("llmtrace.grpc.calls.receiving", () -> slots.used() / slot)
                .description("OTLP/gRPC calls whose message is still being received").tag("service", metrics.service())
                .register(metrics.registry());
    }

    /** Direct memory is the JVM's -XX:MaxDirectMemorySize, or its heap's maximum when that is not set. */
    private static void warnIfOverHalfOfDirectMemory(long worst) {
        long direct;
        try {
            String set = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption("MaxDirectMemorySize").getValue();
            direct = Long.parseLong(set) > 0 ? Long.parseLong(set) : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException e) { // not HotSpot (a native image): nothing to compare with
            return;
        }
        if (worst > direct / 2) {
            LOG.warnf("OTLP/gRPC calls receiving at once may hold %d MiB of direct memory (ingest.limits.max-grpc-calls-receiving "
                    + "x max-grpc-message-bytes), more than half of this JVM's %d MiB: lower the limit or raise -XX:MaxDirectMemorySize",
                    worst >> 20, direct >> 20);
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String tenant = Tenants.current();
        if (!slots.tryAcquire(tenant, slot)) {
            metrics.rejected("grpc_calls_full", 0);
            StatusRuntimeException refusal = GrpcErrors.resourceExhausted(
                    "too many calls receiving at once; retry later", config.buffer().retryAfter());
            call.close(refusal.getStatus(), refusal.getTrailers());
            return new ServerCall.Listener<>() {};
        }
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable release = () -> {
            if (held.getAndSet(false)) {
                slots.release(tenant, slot);
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onMessage(Q message) {
                release.run(); // read: from here the request is on the heap, charged by the receiver
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                release.run();
                super.onHalfClose();
            }

            @Override
            public void onCancel() {
                release.run();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                release.run();
                super.onComplete();
            }
        };
    }
}
