package dev.llmtrace.export;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.queue.Crc32Combine;
import dev.llmtrace.core.queue.PersistentQueue;
import dev.llmtrace.core.retry.ExportException;
import dev.llmtrace.core.retry.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One destination's worker on a real queue on disk, with a sender scripted attempt by attempt: what is delivered,
 * retried, dropped or dead-lettered, and how the queue's admission behaves when full. No server: the senders'
 * own tests and DestinationsTest cover the wire.
 */
class DestinationWorkerTest {
    static final RetryPolicy QUICK = new RetryPolicy(Duration.ofMillis(20), Duration.ofMillis(50), 1.5, 0, Duration.ofSeconds(1));

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DestinationWorker worker;
    /** How often a worker said a batch left its queue (the wake-up for callers waiting for room). */
    final java.util.concurrent.atomic.AtomicInteger roomFreed = new java.util.concurrent.atomic.AtomicInteger();

    /** A sender whose n-th attempt (1-based) does what {@code script} says; it records every attempt. */
    static final class Scripted implements Sender {
        final List<byte[]> attempts = new CopyOnWriteArrayList<>();
        final IntFunction<CompletableFuture<Result>> script;

        Scripted(IntFunction<CompletableFuture<Result>> script) {
            this.script = script;
        }

        @Override
        public CompletableFuture<Result> send(byte[] body, String tenant) {
            attempts.add(body);
            return script.apply(attempts.size());
        }
    }

    DestinationWorker worker(Sender sender, long queueBytes, ExportConfig.WhenFull whenFull) {
        DestinationSpec spec = new DestinationSpec("d", sender, ExportConfig.Encoding.PROTOBUF, null, Duration.ofSeconds(2), null,
                queueBytes, whenFull, 1, QUICK, PrivacyPolicy.FULL, "test");
        worker = new DestinationWorker(spec, PersistentQueue.open(dir.resolve("queue"), queueBytes, 1 << 20),
                new DeadLetters(dir.resolve("dead-letter")), registry, roomFreed::incrementAndGet);
        return worker;
    }

    @AfterEach
    void close() {
        if (worker != null) {
            worker.stop(System.nanoTime());
            worker.close();
        }
    }

    void offer(DestinationWorker w, int spans, byte[] body) {
        assertTrue(w.reserve(body.length));
        w.appendReserved("acme", spans, body, Crc32Combine.of(body));
    }

    double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aBatchIsDeliveredOnceAndLeavesTheQueue() {
        Scripted sender = new Scripted(n -> CompletableFuture.completedFuture(Sender.Result.OK));
        DestinationWorker w = worker(sender, 1 << 20, ExportConfig.WhenFull.BLOCK);
        w.start();
        offer(w, 3, new byte[] {1, 2, 3});
        await().atMost(Duration.ofSeconds(5)).until(() -> w.waiting() == 0);
        assertEquals(1, sender.attempts.size());
        assertEquals(3.0, counter("llmtrace.export.spans.sent"));
    }

    @Test
    void retryableFailuresAreRetriedUntilDelivered() {
        Scripted sender = new Scripted(n -> n < 3
                ? CompletableFuture.failedFuture(ExportException.retryable("http_503", "HTTP 503", (Duration) null))
                : CompletableFuture.completedFuture(Sender.Result.OK));
        DestinationWorker w = worker(sender, 1 << 20, ExportConfig.WhenFull.BLOCK);
        w.start();
        offer(w, 2, new byte[] {7});
        await().atMost(Duration.ofSeconds(5)).until(() -> w.waiting() == 0);
        assertEquals(3, sender.attempts.size());
        assertEquals(2.0, counter("llmtrace.export.retries"));
        assertEquals(2.0, counter("llmtrace.export.failures", "reason", "http_503"));
        assertEquals(2.0, counter("llmtrace.export.spans.sent"));
    }

    @Test
    void aPermanentFailureIsDroppedAfterOneAttempt() {
        Scripted sender = new Scripted(n -> CompletableFuture.failedFuture(ExportException.permanent("http_400", "HTTP 400")));
        DestinationWorker w = worker(sender, 1 << 20, ExportConfig.WhenFull.BLOCK);
        w.start();
        offer(w, 4, new byte[] {9});
        await().atMost(Duration.ofSeconds(5)).until(() -> w.waiting() == 0);
        assertEquals(1, sender.attempts.size(), "settled: no retry can follow");
        assertEquals(4.0, counter("llmtrace.export.spans.dropped", "reason", "http_400"));
    }

    @Test
    void exhaustedRetriesGoToTheDeadLetterFile() throws Exception {
        Scripted sender = new Scripted(n -> CompletableFuture.failedFuture(ExportException.retryable("transport", "refused", (Duration) null)));
        DestinationWorker w = worker(sender, 1 << 20, ExportConfig.WhenFull.BLOCK);
        w.start();
        offer(w, 5, FiltersTest.REQUEST.toByteArray()); // the dead-letter file holds it as OTLP/JSON: a real request
        await().atMost(Duration.ofSeconds(10)).until(() -> w.waiting() == 0);
        assertEquals(5.0, counter("llmtrace.export.spans.dead.lettered"));
        assertTrue(sender.attempts.size() > 3, "retried for the policy's second: " + sender.attempts.size());
        try (var files = Files.list(dir.resolve("dead-letter"))) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void aFullBlockingQueueRefusesAndIsNotReadyUntilItDrains() {
        // the caller may wait for room (Destinations): a refusal is counted once it gives up, not per look
        CompletableFuture<Sender.Result> backendDown = new CompletableFuture<>();
        DestinationWorker w = worker(new Scripted(n -> backendDown), 4096, ExportConfig.WhenFull.BLOCK);
        byte[] body = new byte[1500];
        offer(w, 1, body);
        offer(w, 1, body);
        assertFalse(w.reserve(body.length), "no room: refused, nothing evicted");
        assertFalse(w.reserve(body.length));
        assertEquals(0.0, counter("llmtrace.export.failures", "reason", "queue_full"));
        w.refused();
        assertEquals(1.0, counter("llmtrace.export.failures", "reason", "queue_full"));
        assertFalse(w.canTakeData());
        assertEquals(2, w.waiting());
        w.start();
        backendDown.complete(Sender.Result.OK);
        await().atMost(Duration.ofSeconds(5)).until(() -> w.waiting() == 0);
        assertTrue(w.canTakeData(), "drained: ready again");
        assertEquals(2, roomFreed.get(), "each batch that left the queue said so");
    }

    @Test
    void aFullDropOldestQueueEvictsAndCountsWhatItDropped() {
        DestinationWorker w = worker(new Scripted(n -> new CompletableFuture<>()), 4096, ExportConfig.WhenFull.DROP_OLDEST);
        byte[] body = new byte[1500];
        offer(w, 2, body);
        offer(w, 3, body);
        assertTrue(w.reserve(body.length), "room made");
        w.appendReserved("acme", 1, body, Crc32Combine.of(body));
        assertEquals(2.0, counter("llmtrace.export.spans.dropped", "reason", "queue_full"), "the oldest batch's spans");
        assertEquals(2, w.waiting());
        assertTrue(w.canTakeData(), "drop-oldest always takes data");
    }

    /** As Destinations does delivering first: room reserved and a send slot taken, then the batch sent before any queue write. */
    CompletableFuture<Void> deliverFirst(DestinationWorker w, int spans, byte[] body) {
        assertTrue(w.reserve(body.length));
        assertTrue(w.tryDeliverFirst(), "nothing queued and a send slot free");
        return w.deliverFirst("acme", spans, body, Crc32Combine.of(body));
    }

    @Test
    void aBatchDeliveredFirstNeverReachesTheQueueAndSettlesWithTheBackendsAnswer() throws Exception {
        CompletableFuture<Sender.Result> answer = new CompletableFuture<>();
        Scripted sender = new Scripted(n -> answer);
        DestinationWorker w = worker(sender, 4096, ExportConfig.WhenFull.BLOCK);
        w.start();
        CompletableFuture<Void> settled = deliverFirst(w, 3, new byte[] {1, 2, 3});
        assertEquals(1, sender.attempts.size(), "sent at once");
        Thread.sleep(200);
        assertFalse(settled.isDone(), "settled only once the backend answers: until then its caller keeps the batch");
        answer.complete(Sender.Result.OK);
        settled.get(5, TimeUnit.SECONDS);
        assertEquals(3.0, counter("llmtrace.export.spans.sent"));
        assertEquals(0.0, counter("llmtrace.export.batches.queued"), "never written to the queue");
        assertEquals(1, roomFreed.get(), "the room reserved for it is given back");
        assertTrue(w.reserve(4096), "all of it");
        Thread.sleep(200);
        assertEquals(1, sender.attempts.size(), "and no consumer sends it again");
    }

    @Test
    void aRetryableFailureQueuesTheBatchAndItsRetryWaitsTheBackoff() throws Exception {
        List<Long> attemptedAt = new CopyOnWriteArrayList<>();
        Scripted sender = new Scripted(n -> {
            attemptedAt.add(System.nanoTime());
            return n == 1 ? CompletableFuture.failedFuture(ExportException.retryable("http_429", "HTTP 429", Duration.ofMillis(400)))
                    : CompletableFuture.completedFuture(Sender.Result.OK);
        });
        DestinationWorker w = worker(sender, 1 << 20, ExportConfig.WhenFull.BLOCK);
        w.start();
        deliverFirst(w, 2, new byte[] {7}).get(5, TimeUnit.SECONDS); // settled once it is in the queue
        assertEquals(1.0, counter("llmtrace.export.batches.queued"));
        await().atMost(Duration.ofSeconds(5)).until(() -> w.waiting() == 0);
        assertEquals(2, sender.attempts.size(), "retried once, from the queue");
        long waited = TimeUnit.NANOSECONDS.toMillis(attemptedAt.get(1) - attemptedAt.get(0));
        assertTrue(waited >= 400, "the backend's Retry-After is honoured: " + waited + " ms");
        assertEquals(1.0, counter("llmtrace.export.failures", "reason", "http_429"));
        assertEquals(2.0, counter("llmtrace.export.spans.sent"));
    }

    @Test
    void aPermanentFailureDeliveredFirstIsDroppedAndNeverQueued() throws Exception {
        Scripted sender = new Scripted(n -> CompletableFuture.failedFuture(ExportException.permanent("http_400", "HTTP 400")));
        DestinationWorker w = worker(sender, 4096, ExportConfig.WhenFull.BLOCK);
        w.start();
        deliverFirst(w, 4, new byte[] {9}).get(5, TimeUnit.SECONDS);
        assertEquals(4.0, counter("llmtrace.export.spans.dropped", "reason", "http_400"));
        assertEquals(0.0, counter("llmtrace.export.batches.queued"));
        assertTrue(w.reserve(4096), "its room given back");
        assertEquals(1, sender.attempts.size());
    }

    @Test
    void aBatchIsQueuedWhileEverySendIsBusyOrABacklogWaits() throws Exception {
        CompletableFuture<Sender.Result> slow = new CompletableFuture<>();
        DestinationWorker w = worker(new Scripted(n -> slow), 1 << 20, ExportConfig.WhenFull.BLOCK); // one consumer: one send slot
        byte[] body = {5};
        CompletableFuture<Void> first = deliverFirst(w, 1, body);
        assertTrue(w.reserve(body.length));
        assertFalse(w.tryDeliverFirst(), "its one send slot is busy");
        w.appendReserved("acme", 1, body, Crc32Combine.of(body));
        slow.complete(Sender.Result.OK);
        first.get(5, TimeUnit.SECONDS);
        assertTrue(w.reserve(body.length));
        assertFalse(w.tryDeliverFirst(), "a batch waits in the queue: the next one goes behind it");
        w.release(body.length);
        w.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> w.waiting() == 0);
        assertTrue(w.reserve(body.length));
        assertTrue(w.tryDeliverFirst(), "drained: sent first again");
        w.skipDeliverFirst(body.length);
        assertEquals(1.0, counter("llmtrace.export.batches.queued"));
    }
}
