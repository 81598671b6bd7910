package dev.llmtrace.ingest;

import dev.llmtrace.core.Schedulers;
import dev.llmtrace.core.log.LogEvery;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.queue.InFlightRecord;
import dev.llmtrace.core.retry.ExportException;

import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;
import io.smallrye.common.annotation.Identifier;

/**
 * Admission into ingest's bounded buffer towards enrich. Accepted requests enter the {@code to-enrich}
 * channel (read by {@link EnrichForwarder}) only after they are admitted against the byte and request
 * limits and, with the write-ahead log on, written to disk, so a full buffer is a refusal the sender sees
 * (and retries), never a silent drop. A request leaves the buffer when the forwarder settles its batch.
 */
@ApplicationScoped
public class IngestBuffer {
    private static final Logger LOG = Logger.getLogger(IngestBuffer.class);
    private final LogEvery logUnwritable = new LogEvery(Duration.ofSeconds(10));
    private final LogEvery logAckUnwritable = new LogEvery(Duration.ofSeconds(10));

    /**
     * One accepted request on its way to enrich, held serialized: one array per request instead of a tree of
     * thousands of objects, and the forward sends the bytes as they are. Once the write-ahead log has it,
     * {@code request} is null and the forwarder reads the bytes back from the log ({@link #copyRequest}): a full
     * buffer then costs the heap nothing. Held, the buffer's arrays outlived every young collection while they
     * waited (in the all-in-one's closed loop, most of what was live at each one) and filled the old generation.
     */
    public record Item(String tenant, byte[] request, int spans, long logId, int bytes, InFlightRecord logged) {
        public Item(String tenant, byte[] request, int spans) {
            this(tenant, request, spans, 0, request.length, null);
        }

        Item logged(InFlightRecord record) {
            return new Item(tenant, null, spans, record.id(), bytes, record);
        }

        /** Copies the request's bytes into {@code into} at {@code at}: from its own array, or read back from the log. */
        void copyRequest(byte[] into, int at) {
            if (request != null) { // the log is off, or the item was replayed from it
                System.arraycopy(request, 0, into, at, bytes);
            } else {
                logged.readInto(into, at);
            }
        }
    }

    /** Why a request was not taken: the reason counted and what the sender is told. */
    public enum Refusal {
        BUFFER_FULL("buffer_full", "ingest buffer is full, retry later"),
        LOG_UNAVAILABLE("wal_unavailable", "ingest cannot write its log, retry later");

        final String reason;
        final String message;

        Refusal(String reason, String message) {
            this.reason = reason;
            this.message = message;
        }
    }

    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong spans = new AtomicLong();
    /** Senders waiting for room, first come first served (guarded by itself); {@code waiting} is its size. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final AtomicInteger waiting = new AtomicInteger();
    /**
     * Ends the waits that run out. Each wait's timeout is cancelled when the sender is answered sooner, so a queued
     * timeout holds no request past its wait. It was {@code CompletableFuture.delayedExecutor}, which on 2 cores (the
     * common pool then has one thread) starts a new thread for every task, kept each waiting request's bytes queued
     * for the whole wait after it was answered, and at the closed loop's limit cost 2.6 % of the all-in-one's CPU.
     */
    private final ScheduledExecutorService waitTimer = Schedulers.timer("ingest-buffer-wait");

    private final IngestConfig config;
    private final PipelineMetrics metrics;

    @Inject
    @Channel("to-enrich")
    @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER) // bounded by admit() before anything is sent
    Emitter<Item> emitter;

    private final WriteAheadLog log;

    public IngestBuffer(IngestConfig config, @Identifier("ingest") PipelineMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        IngestConfig.Wal wal = config.wal();
        this.log = wal.enabled() ? WriteAheadLog.open(wal.directory(), wal.segmentBytes(), wal.fsyncInterval()) : null;
        gauge("llmtrace.buffer.bytes", "Bytes (protobuf) held for enrich", bytes::get);
        gauge("llmtrace.buffer.requests", "Requests held for enrich", requests::get);
        gauge("llmtrace.buffer.spans", "Spans held for enrich", spans::get);
        gauge("llmtrace.buffer.waiting", "Requests waiting for room in the full buffer", waiting::get);
        if (log != null) {
            gauge("llmtrace.wal.bytes", "Bytes in the write-ahead log (accepted, not yet taken by enrich)", log::bytes);
        }
    }

    /**
     * Sends again what an earlier run answered 200 for and enrich never acknowledged. Some of it may
     * have reached enrich just before the crash: those are the duplicates, at most the calls that were
     * in flight ({@code forward.concurrency} × {@code forward.batch.max-requests} requests). Called by the
     * forwarder once it reads the channel.
     */
    void replay() {
        if (log == null) {
            return;
        }
        List<Item> recovered = log.recover();
        long replayedSpans = 0;
        for (Item item : recovered) {
            requests.incrementAndGet(); // admitted before the crash: taken whatever the limits say now
            bytes.addAndGet(item.bytes());
            spans.addAndGet(item.spans());
            replayedSpans += item.spans();
            emitter.send(item);
        }
        metrics.registry().counter("llmtrace.wal.replayed.spans", "service", metrics.service()).increment(replayedSpans);
        if (!recovered.isEmpty()) {
            LOG.infof("replaying %d request(s), %d span(s) from the write-ahead log in %s", recovered.size(), replayedSpans,
                    config.wal().directory());
        }
    }

    private void gauge(String name, String description, java.util.function.Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tag("service", metrics.service()).register(metrics.registry());
    }

    /**
     * Takes the item (on disk first, when the write-ahead log is on), or says why not. A full buffer is waited on
     * for up to {@code waitForRoom} without holding a thread: the answer completes when a settled batch makes room
     * (senders in the order they came) or the wait runs out. So a sender at the pipeline's limit is slowed down
     * instead of refused, and the request it already sent is not thrown away and sent again. One whose caller has
     * gone ({@code callerGone}, e.g. its deadline passed) is not taken: the caller retries it.
     */
    public CompletableFuture<Optional<Refusal>> offer(Item item, Duration waitForRoom, BooleanSupplier callerGone) {
        if (noneWaiting() && admit(item)) {
            return CompletableFuture.completedFuture(take(item));
        }
        if (waitForRoom.isZero() || waitForRoom.isNegative()) {
            return CompletableFuture.completedFuture(Optional.of(Refusal.BUFFER_FULL));
        }
        Waiter waiter = new Waiter(item, callerGone, new CompletableFuture<>());
        synchronized (waiters) {
            waiters.add(waiter);
            waiting.incrementAndGet();
        }
        ScheduledFuture<?> timeout = waitTimer.schedule(() -> {
            if (unqueue(waiter)) {
                waiter.answer.complete(Optional.of(Refusal.BUFFER_FULL));
            }
        }, waitForRoom.toNanos(), TimeUnit.NANOSECONDS);
        waiter.answer.whenComplete((answer, failure) -> timeout.cancel(false));
        admitWaiting(); // room may have come between the refused admit and the queueing
        return waiter.answer;
    }

    /** A sender waiting for room; whoever takes it out of {@link #waiters} answers it. */
    private record Waiter(Item item, BooleanSupplier callerGone, CompletableFuture<Optional<Refusal>> answer) {}

    private boolean noneWaiting() {
        return waiting.get() == 0;
    }

    private boolean unqueue(Waiter waiter) {
        synchronized (waiters) {
            if (!waiters.remove(waiter)) {
                return false;
            }
            waiting.decrementAndGet();
            return true;
        }
    }

    /** Admits waiting senders in order while there is room; the log write and the hand-off happen outside the lock. */
    private void admitWaiting() {
        List<Waiter> admitted = new ArrayList<>();
        List<Waiter> gone = new ArrayList<>();
        synchronized (waiters) {
            for (Waiter next; (next = waiters.peek()) != null; ) {
                boolean callerGone = next.callerGone.getAsBoolean();
                if (!callerGone && !admit(next.item)) {
                    break;
                }
                waiters.poll();
                waiting.decrementAndGet();
                (callerGone ? gone : admitted).add(next);
            }
        }
        gone.forEach(waiter -> waiter.answer.complete(Optional.of(Refusal.BUFFER_FULL)));
        admitted.forEach(waiter -> waiter.answer.complete(take(waiter.item)));
    }

    /** An admitted item into the log and the channel; a log that cannot be written refuses it after all. */
    private Optional<Refusal> take(Item item) {
        Item taken = item;
        if (log != null) {
            try {
                taken = log.append(item);
            } catch (RuntimeException | Error e) {
                // whatever failed (a full disk; a direct buffer the JVM could not allocate, and the process goes on),
                // the item's room is given back: kept, it would make the buffer full of nothing for good
                release(item);
                logUnwritable.log(left -> LOG.errorf("cannot write the write-ahead log, refusing data: %s%s", e, LogEvery.leftOut(left)));
                return Optional.of(Refusal.LOG_UNAVAILABLE);
            }
        }
        emitter.send(taken);
        return Optional.empty();
    }

    private boolean admit(Item item) {
        int maxRequests = config.buffer().maxRequests();
        long maxBytes = config.buffer().maxBytes();
        if (requests.incrementAndGet() > maxRequests) {
            requests.decrementAndGet();
            return false;
        }
        if (bytes.addAndGet(item.bytes()) > maxBytes && bytes.get() != item.bytes()) { // one item always fits
            bytes.addAndGet(-item.bytes());
            requests.decrementAndGet();
            return false;
        }
        spans.addAndGet(item.spans());
        return true;
    }

    private void release(Item item) {
        if (log != null && item.logId() != 0) {
            try {
                log.remove(item);
            } catch (RuntimeException | Error e) {
                // thrown here it stopped the forwarder for good (and kept the request's room taken); the request is
                // with enrich, so at worst it is sent again after a restart
                logAckUnwritable.log(left -> LOG.errorf("cannot write the write-ahead log's acknowledgement; the request "
                        + "may be sent again after a restart: %s%s", e, LogEvery.leftOut(left)));
            }
        }
        bytes.addAndGet(-item.bytes());
        requests.decrementAndGet();
        spans.addAndGet(-item.spans());
        if (!noneWaiting()) {
            admitWaiting();
        }
    }

    /** True while the buffer has room; the readiness check. */
    public boolean hasRoom() {
        return requests.get() < config.buffer().maxRequests() && bytes.get() < config.buffer().maxBytes();
    }

    public int bufferedRequests() {
        return requests.get();
    }

    /** A batch is done with: its requests leave the buffer (and the log), delivered or dropped (counted). */
    void settled(Batch batch, ExportException failure) {
        batch.items().forEach(this::release);
        if (failure == null) {
            metrics.forwarded(batch.spans());
            return;
        }
        metrics.dropped(failure.reason(), batch.spans());
        LOG.errorf("dropped %d span(s) of tenant %s on their way to enrich: %s", batch.spans(), batch.tenant(), failure.getMessage());
    }

    /** Gives buffered data a bounded chance to reach enrich before the process exits. */
    void drainOnShutdown(@Observes ShutdownEvent event) {
        long deadline = System.nanoTime() + config.forward().drainTimeout().toNanos();
        while (requests.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (requests.get() > 0) {
            LOG.warnf("shutting down with %d request(s), %d span(s) not yet accepted by enrich%s", requests.get(), spans.get(),
                    log == null ? ": they are lost" : "; the write-ahead log keeps them for the next start");
        }
    }

    @PreDestroy
    void stop() {
        waitTimer.shutdownNow();
        if (log != null) {
            log.close(); // what enrich has not taken stays on disk for the next start
        }
    }
}
