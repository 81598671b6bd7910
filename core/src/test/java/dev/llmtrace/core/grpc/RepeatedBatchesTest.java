package dev.llmtrace.core.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RepeatedBatchesTest {
    final AtomicLong now = new AtomicLong();
    final RepeatedBatches<String> batches = new RepeatedBatches<>(Duration.ofSeconds(60), 3, now::get);
    final AtomicInteger worked = new AtomicInteger();
    final AtomicInteger repeated = new AtomicInteger();

    CompletableFuture<String> attempt(String id, CompletableFuture<String> outcome) {
        return batches.once(id, () -> {
            worked.incrementAndGet();
            return outcome;
        }, repeated::incrementAndGet);
    }

    @Test
    void aRetryOfABatchInWorkWaitsForThatWork() throws Exception {
        CompletableFuture<String> inWork = new CompletableFuture<>();
        CompletableFuture<String> first = attempt("a", inWork);
        CompletableFuture<String> retry = attempt("a", new CompletableFuture<>());
        assertEquals(1, worked.get());
        assertEquals(1, repeated.get());
        inWork.complete("taken");
        assertEquals("taken", first.get());
        assertEquals("taken", retry.get());
    }

    @Test
    void aRetryOfABatchTakenIsAnsweredAsTheFirstWas() throws Exception {
        attempt("a", CompletableFuture.completedFuture("taken"));
        assertEquals("taken", attempt("a", CompletableFuture.completedFuture("again")).get());
        assertEquals(1, worked.get());
        attempt("b", CompletableFuture.completedFuture("other batch"));
        assertEquals(2, worked.get(), "another id is other data");
    }

    @Test
    void aRetryOfAFailedAttemptIsWorkedAgain() throws Exception {
        CompletableFuture<String> failed = attempt("a", CompletableFuture.failedFuture(new IllegalStateException("export down")));
        assertThrows(ExecutionException.class, failed::get);
        assertEquals("taken", attempt("a", CompletableFuture.completedFuture("taken")).get());
        assertEquals(2, worked.get());
        assertEquals(0, repeated.get());
    }

    @Test
    void workThatThrowsIsAFailedAttempt() {
        CompletableFuture<String> threw = batches.once("a", () -> {
            throw new IllegalStateException("boom");
        }, repeated::incrementAndGet);
        assertTrue(threw.isCompletedExceptionally());
        assertEquals(0, batches.size());
    }

    @Test
    void withoutAnIdEveryAttemptIsWorked() {
        CompletableFuture<String> done = CompletableFuture.completedFuture("taken");
        attempt(null, done);
        assertSame(done, attempt(null, done));
        assertEquals(2, worked.get());
        assertEquals(0, batches.size());
    }

    @Test
    void batchesAreForgottenAfterTheWindowOrBeyondCapacity() throws Exception {
        attempt("a", CompletableFuture.completedFuture("taken"));
        now.addAndGet(Duration.ofSeconds(61).toNanos());
        attempt("a", CompletableFuture.completedFuture("taken again"));
        assertEquals(2, worked.get(), "past the window a retry is worked again: at least once");

        for (String id : new String[] {"b", "c", "d"}) {
            attempt(id, CompletableFuture.completedFuture("taken"));
        }
        assertEquals(3, batches.size(), "at most capacity remembered");
        attempt("d", CompletableFuture.completedFuture("taken"));
        assertEquals(5, worked.get(), "the newest is still remembered");
    }
}
