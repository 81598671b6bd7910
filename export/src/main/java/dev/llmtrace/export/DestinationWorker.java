package dev.llmtrace.export;

import dev.llmtrace.core.log.LogEvery;
import dev.llmtrace.core.queue.PersistentQueue;
import dev.llmtrace.core.retry.ExportException;
import dev.llmtrace.core.retry.Retrier;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One destination's reliability, apart from every other destination's: its own durable queue, its own
 * consumer threads, its own retry. The Collector's exporter helper, for one backend: the sender only
 * sends; queue, retry, dead letters and metrics are here. A batch whose caller keeps it durable until
 * answered may be sent before it is queued ({@link #deliverFirst}); it is queued only if that send fails.
 */
final class DestinationWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DestinationWorker.class);
    private static final String STOPPING = "stopping";
    /** Waits between retries of every destination; the attempts themselves are asynchronous sends. */
    private static final ScheduledExecutorService RETRY_TIMER = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "export-retry-timer");
        thread.setDaemon(true);
        return thread;
    });

    private final DestinationSpec spec;
    private final Sender sender;
    private final PersistentQueue queue;
    private final DeadLetters deadLetters;
    private final ExportMetrics metrics;
    private final Retrier retrier;
    private final List<Thread> consumers = new ArrayList<>();
    /** Spans dropped for a full queue since the last line that said so: one line per 10 s while it overflows. */
    private final AtomicLong droppedTotal = new AtomicLong();
    private final LogEvery dropLog = new LogEvery(Duration.ofSeconds(10));
    private volatile boolean stopping;
    /** Set when the queue refused a batch; cleared once it has drained to half its capacity (hysteresis). */
    private volatile boolean refusedData;
    /** Told after each batch leaves the queue: callers waiting for room may go on. */
    private final Runnable roomFreed;
    /** Sends in flight that skipped the queue: no more than its consumers send at once. */
    private final Semaphore directSends;
    /** After a send that skipped the queue failed, the consumers wait until then to retry it (its backoff, a Retry-After). */
    private volatile long holdOffUntilNanos = System.nanoTime();

    DestinationWorker(DestinationSpec spec, PersistentQueue queue, DeadLetters deadLetters, MeterRegistry registry, Runnable roomFreed) {
        this.spec = spec;
        this.roomFreed = roomFreed;
        this.sender = spec.sender();
        this.queue = queue;
        this.deadLetters = deadLetters;
        this.metrics = new ExportMetrics(registry, spec.name(), queue);
        this.retrier = new Retrier(spec.retry(), RETRY_TIMER);
        this.directSends = new Semaphore(spec.consumers());
    }

    DestinationSpec spec() {
        return spec;
    }

    /**
     * Room for {@code bytes} more in the queue, reserved: when full, a drop-oldest queue evicts its oldest
     * batches (counted) and a blocking one has none (not ready until it has drained to half; the caller may
     * wait for room, and counts the refusal with {@link #refused} when it gives up).
     */
    boolean reserve(int bytes) {
        if (queue.tryReserve(bytes)) {
            return true;
        }
        if (spec.whenFull() == ExportConfig.WhenFull.DROP_OLDEST) {
            List<PersistentQueue.Item> dropped = queue.dropOldestToFit(bytes);
            int spans = dropped.stream().mapToInt(PersistentQueue.Item::spans).sum();
            if (spans > 0) {
                metrics.dropped("queue_full", spans);
                droppedTotal.addAndGet(spans);
                dropLog.log(left -> LOG.warnf("destination %s: queue full, dropped the oldest %d span(s) since the last such line",
                        spec.name(), droppedTotal.getAndSet(0)));
            }
            if (queue.tryReserve(bytes)) {
                return true;
            }
        }
        refusedData = true;
        return false;
    }

    /** A batch was refused for want of room here, after any wait for it. */
    void refused() {
        metrics.failed("queue_full");
    }

    /** Gives back room {@link #reserve} took for a batch that another destination refused. */
    void release(int bytes) {
        queue.release(bytes);
    }

    /** {@code bodyCrc}: the body's CRC-32 ({@code Crc32Combine.of}), computed once for every queue the same body goes to. */
    void appendReserved(String tenant, int spans, byte[] body, int bodyCrc) {
        queue.appendReserved(tenant, spans, body, bodyCrc);
        metrics.queued();
    }

    /**
     * Whether a batch whose room is reserved may be sent before it is queued: nothing waits in the queue (a destination
     * that is failing or behind keeps its backoff, and its backlog goes first), the worker is not stopping, and a send
     * slot is free. True takes the slot; {@link #deliverFirst} or {@link #skipDeliverFirst} gives it back.
     */
    boolean tryDeliverFirst() {
        return !stopping && queue.size() == 0 && directSends.tryAcquire();
    }

    /** A batch {@link #tryDeliverFirst} admitted is not sent after all (another destination's queue failed): its room and slot back. */
    void skipDeliverFirst(int bytes) {
        queue.release(bytes);
        directSends.release();
    }

    /**
     * Sends a batch admitted by {@link #tryDeliverFirst} without writing it to the queue, as its first attempt.
     * Delivered or refused for good, its room is given back and the disk never saw it; a failure worth retrying queues
     * it, and the consumers retry it after the backoff. Completes once the batch is delivered, dropped or queued; fails
     * only when it could not be queued (its room given back), and the caller, which still holds it, retries.
     */
    CompletableFuture<Void> deliverFirst(String tenant, int spans, byte[] body, int bodyCrc) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        CompletableFuture<Sender.Result> sent;
        try {
            sent = attempt(body, tenant, spans);
        } catch (RuntimeException e) { // a sender that throws instead of failing its future
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((result, error) -> {
            directSends.release();
            try {
                if (error == null) {
                    delivered(result, spans);
                    leftQueue(body.length);
                } else {
                    ExportException failure = ExportException.of(error);
                    metrics.failed(failure.reason());
                    if (failure.isRetryable()) {
                        Duration delay = spec.retry().delayFor(0, ThreadLocalRandom.current().nextDouble(), failure.retryAfter());
                        holdOffUntilNanos = System.nanoTime() + delay.toNanos();
                        appendReserved(tenant, spans, body, bodyCrc);
                        metrics.retried();
                        LOG.warnf("destination %s failed (%s); queued, retrying in %d ms", spec.name(), failure.getMessage(), delay.toMillis());
                    } else {
                        droppedForGood(failure, spans);
                        leftQueue(body.length);
                    }
                }
                settled.complete(null);
            } catch (RuntimeException | Error e) {
                settled.completeExceptionally(e);
            }
        });
        return settled;
    }

    void sync() {
        queue.sync();
    }

    /** Batches waiting in the queue. */
    int waiting() {
        return queue.size();
    }

    /** For the readiness check: what waits. */
    String backlog() {
        return queue.size() + " batch(es), " + queue.bytes() + " bytes";
    }

    /** Can the queue take data? drop-oldest queues always can; blocking ones not while full. */
    boolean canTakeData() {
        if (spec.whenFull() == ExportConfig.WhenFull.DROP_OLDEST) {
            return true;
        }
        if (refusedData && queue.bytes() <= queue.maxBytes() / 2) {
            refusedData = false;
        }
        return !refusedData && queue.hasRoomFor(1);
    }

    void start() {
        for (int i = 0; i < spec.consumers(); i++) {
            Thread thread = new Thread(this::consume, "export-" + spec.name() + "-" + i);
            thread.setDaemon(true);
            consumers.add(thread);
            thread.start();
        }
    }

    private void consume() {
        while (!Thread.currentThread().isInterrupted()) {
            PersistentQueue.Item item = null;
            try {
                item = queue.take(100, TimeUnit.MILLISECONDS);
                if (item == null) {
                    if (stopping) {
                        return; // drained
                    }
                    continue;
                }
                if (!waitOutHoldOff(item) || !deliver(item)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                // a consumer that died would leave its destination undelivered until a restart: it goes on, and
                // the batch it held is pending again (requeue does nothing for one already acknowledged)
                if (item != null) {
                    queue.requeue(item.id());
                }
                LOG.errorf("consumer of destination %s: %s; going on in 1 s", spec.name(), e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Waits out the backoff that a failed send which skipped the queue set: the batch it queued is not retried sooner.
     * False when stopping meanwhile (no retry is made then; the batch stays on disk).
     */
    private boolean waitOutHoldOff(PersistentQueue.Item item) throws InterruptedException {
        for (long left; (left = holdOffUntilNanos - System.nanoTime()) > 0; ) {
            if (stopping) {
                queue.requeue(item.id());
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                queue.requeue(item.id());
                throw e;
            }
        }
        return true;
    }

    /** Sends one batch until it is delivered, refused for good, or out of retries; false when the consumer should stop. */
    private boolean deliver(PersistentQueue.Item item) {
        int[] attempts = {0};
        // while shutting down, a batch still gets its first attempt (healthy destinations drain) but no retry
        CompletableFuture<Sender.Result> delivery = retrier.run(() -> attempts[0]++ > 0 && stopping
                ? CompletableFuture.failedFuture(ExportException.permanent(STOPPING, "shutting down")) : attempt(item), (failure, attempt, delay) -> {
            metrics.failed(failure.reason());
            if (delay != null) {
                metrics.retried();
                if (attempt == 1) {
                    LOG.warnf("destination %s failed (%s); retrying in %d ms", spec.name(), failure.getMessage(), delay.toMillis());
                }
            }
        });
        try {
            delivered(delivery.get(), item.spans());
            ack(item);
            return true;
        } catch (InterruptedException e) {
            delivery.cancel(false);
            queue.requeue(item.id()); // stays on disk for the next start
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            ExportException failure = ExportException.of(e);
            switch (failure.reason()) {
                case STOPPING -> { // shutting down: stop retrying, keep the batch on disk
                    queue.requeue(item.id());
                    return false;
                }
                case "retries_exhausted" -> deadLetter(item, failure);
                default -> {
                    droppedForGood(failure, item.spans());
                    ack(item);
                }
            }
            return true;
        }
    }

    /** What the backend said about a batch it took: spans it rejected (partial success) are counted, not retried. */
    private void delivered(Sender.Result result, int spans) {
        if (result.rejectedSpans() > 0) { // the backend decided, retrying would not change it
            metrics.rejectedByBackend(result.rejectedSpans());
            LOG.warnf("destination %s rejected %d of %d span(s): %s", spec.name(), result.rejectedSpans(), spans, result.message());
        }
    }

    private void droppedForGood(ExportException failure, int spans) {
        metrics.dropped(failure.reason(), spans);
        LOG.warnf("destination %s refused a batch of %d span(s) for good (%s); dropped, not retried",
                spec.name(), spans, failure.getMessage());
    }

    private CompletableFuture<Sender.Result> attempt(PersistentQueue.Item item) {
        return attempt(item.payload(), item.tenant(), item.spans());
    }

    /** One send, bounded in time. */
    private CompletableFuture<Sender.Result> attempt(byte[] payload, String tenant, int spans) {
        long start = System.nanoTime();
        return sender.send(payload, tenant)
                .orTimeout(spec.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)
                .handle((result, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                        throw cause instanceof TimeoutException
                                ? ExportException.retryable("timeout", "no answer within " + spec.timeout(), cause)
                                : ExportException.of(cause);
                    }
                    metrics.sent(spans, Duration.ofNanos(System.nanoTime() - start));
                    return result;
                });
    }

    private void deadLetter(PersistentQueue.Item item, ExportException failure) {
        try {
            var file = deadLetters.write(spec.name(), spec.encoding(), item.payload());
            metrics.deadLettered(item.spans());
            LOG.errorf("destination %s: gave up on %d span(s) (%s); written to %s", spec.name(),
                    item.spans(), failure.getMessage(), file);
        } catch (IOException e) {
            metrics.dropped("dead_letter_failed", item.spans());
            LOG.errorf("destination %s: gave up on %d span(s) and could not write the dead-letter file: %s",
                    spec.name(), item.spans(), e.getMessage());
        }
        ack(item);
    }

    /** The batch leaves the queue (delivered, refused for good or dead-lettered): its room is free again. */
    private void ack(PersistentQueue.Item item) {
        queue.ack(item.id());
        roomFreed.run();
    }

    /** A batch sent before it was queued is settled: the room reserved for it is free again. */
    private void leftQueue(int bytes) {
        queue.release(bytes);
        roomFreed.run();
    }

    /** Stops taking new work at {@code deadline}: healthy consumers drain until then, the rest stays on disk. */
    void stop(long deadlineNanos) {
        stopping = true;
        for (Thread thread : consumers) {
            long left = deadlineNanos - System.nanoTime();
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumers.forEach(Thread::interrupt);
        for (Thread thread : consumers) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        queue.close();
        sender.close();
    }
}
