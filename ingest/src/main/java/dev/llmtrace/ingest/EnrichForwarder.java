package dev.llmtrace.ingest;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.grpc.BatchIds;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.retry.ExportException;
import dev.llmtrace.core.retry.Retrier;
import dev.llmtrace.core.retry.RetryPolicy;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * Reads the {@code to-enrich} channel that {@link IngestBuffer} admits into, groups requests into batches per
 * tenant and keeps up to {@code forward.concurrency} calls to enrich in flight, each retried with jittered backoff
 * (core's {@link Retrier}) under the batch's one id, so a short enrich outage only holds data in the buffer
 * and a retry after a late answer is not taken twice. Each batch is then
 * settled with the buffer, delivered or dropped.
 */
@ApplicationScoped
public class EnrichForwarder {
    private static final Logger LOG = Logger.getLogger(EnrichForwarder.class);
    /** Batches taken by enrich whose outcome may come later (a bound for the stream; the buffer's admission is the real one). */
    private static final int SETTLING = 256;

    /** What became of a batch. */
    record Outcome(Batch batch, ExportException failure) {}

    private final IngestConfig config;
    private final PipelineMetrics metrics;
    private final IngestBuffer buffer;
    private final NextHop enrich;
    private final ScheduledExecutorService retryScheduler = dev.llmtrace.core.Schedulers.daemon("enrich-retry");
    private final Retrier retrier;
    private volatile boolean stopped;
    private Cancellable subscription;

    @Inject
    @Channel("to-enrich")
    Multi<IngestBuffer.Item> admitted;

    public EnrichForwarder(IngestConfig config, @Identifier("ingest") PipelineMetrics metrics, IngestBuffer buffer,
            @Identifier("enrich") NextHop enrich) {
        this.config = config;
        this.metrics = metrics;
        this.buffer = buffer;
        this.enrich = enrich;
        this.retrier = new Retrier(config.forward().retry().toPolicy(RetryPolicy.internalHopDefaults()), retryScheduler);
    }

    /** Reads the channel, then has the buffer replay its write-ahead log into it. */
    void start(@Observes StartupEvent event) {
        subscription = forward(admitted).subscribe().with(this::settle, failure -> { });
        buffer.replay();
    }

    /** An exception thrown out of here would end the forwarding stream, and nothing would reach enrich until a restart. */
    private void settle(Outcome outcome) {
        try {
            buffer.settled(outcome.batch(), outcome.failure());
        } catch (RuntimeException e) {
            LOG.errorf("settling a batch of %d span(s) failed, forwarding goes on: %s", outcome.batch().spans(), e.toString());
        }
    }

    /** The forwarding stream over {@code items}: batches, calls in flight, retries; one outcome per batch. */
    Multi<Outcome> forward(Multi<IngestBuffer.Item> items) {
        IngestConfig.Batch batching = config.forward().batch();
        return items.onTermination().invoke((failure, cancelled) -> stopped(failure))
                .group().intoLists().of(batching.maxRequests(), batching.maxDelay())
                // the time-based grouping emits when its window closes, demand or not: batches wait here
                // while every call is in flight (bounded by the buffer's admission, which bounds the items)
                .onOverflow().bufferUnconditionally()
                .onItem().transformToIterable(waiting -> Batch.of(waiting, batching.maxBytes()))
                .onItem().transformToUni(this::forwardUntilTaken)
                .merge(concurrency())
                // taken by enrich: the outcome may wait for delivery (the all-in-one's export delivering first) without
                // holding a place among the calls in flight; the buffer's admission bounds these too
                .onItem().transformToUni(outcome -> Uni.createFrom().completionStage(outcome))
                .merge(SETTLING);
    }

    /**
     * {@code forward.concurrency}, but no more than the hop works on at once (the all-in-one's Enricher, one thread
     * per core): batches are joined when the forwarder takes them up, and one waiting behind the hop's threads only
     * holds that copy on the heap. In the all-in-one's closed loop such copies were half of what was in flight, and
     * what drove its full collections.
     */
    int concurrency() {
        return Math.min(config.forward().concurrency(), enrich.parallelism());
    }

    /**
     * Forwards a batch, retried until it has an outcome; the Uni completes, with that outcome to come, once enrich has
     * taken the batch (or it has its outcome). A retry after the batch was taken (export could not queue it) runs
     * outside the bound on calls in flight: a rare second call.
     */
    private Uni<CompletableFuture<Outcome>> forwardUntilTaken(Batch batch) {
        return Uni.createFrom().deferred(() -> {
            CompletableFuture<Void> taken = new CompletableFuture<>();
            CompletableFuture<Outcome> outcome = forwardWithRetry(batch, () -> taken.complete(null));
            outcome.whenComplete((done, error) -> taken.complete(null));
            return Uni.createFrom().completionStage(taken).replaceWith(outcome);
        });
    }

    /**
     * The batch's request is joined once for the attempts; a read failure fails the batch. Once enrich has taken it, the
     * joined copy is let go (its answer may wait for delivery: held meanwhile, such copies were promoted and filled the
     * old generation), and an attempt after that joins it again.
     */
    private CompletableFuture<Outcome> forwardWithRetry(Batch batch, Runnable taken) {
        CompletableFuture<ExportTraceServiceResponse> answer;
        try {
            AtomicReference<byte[]> joined = new AtomicReference<>(joined(batch));
            Runnable letGo = () -> {
                joined.set(null);
                taken.run();
            };
            answer = retrier.run(() -> BatchIds.with(batch.id(), () -> {
                byte[] request = joined.get();
                return enrich.exportValidated(request != null ? request : joined(batch), batch.spans(), batch.tenant(), letGo);
            }), (failure, attempt, delay) -> metrics.forwardFailed(failure.reason()));
        } catch (ExportException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((response, error) -> new Outcome(batch, error == null ? null : ExportException.of(error)));
    }

    /** The batch's request joined; one that cannot be read back from the log fails the batch, with no retry. */
    private static byte[] joined(Batch batch) {
        try {
            return batch.request();
        } catch (RuntimeException unreadable) {
            throw ExportException.permanent("log_unreadable", "cannot read the batch back from the write-ahead log: " + unreadable);
        }
    }

    /**
     * The forwarding stream has ended: nothing buffered will reach enrich again. Only shutdown should do that;
     * otherwise liveness fails ({@link ForwarderLiveness}) so the process is restarted rather than left
     * accepting nothing.
     */
    private void stopped(Throwable failure) {
        stopped = true;
        if (failure != null) {
            LOG.errorf("the forwarder to enrich stopped: %s", failure.toString());
        }
    }

    /** False once the forwarding stream has ended (failed, completed or cancelled). */
    public boolean forwarding() {
        return !stopped;
    }

    @PreDestroy
    void stop() {
        if (subscription != null) {
            subscription.cancel();
        }
        retryScheduler.shutdownNow();
        try {
            retryScheduler.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
