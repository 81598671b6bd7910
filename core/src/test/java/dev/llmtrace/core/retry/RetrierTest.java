package dev.llmtrace.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.grpc.GrpcErrors;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetrierTest {
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void backoffGrowsToTheCapWithBoundedJitter() {
        RetryPolicy policy = RetryPolicy.collectorDefaults();
        assertEquals(Duration.ofSeconds(5), policy.backoff(0, 0.5));
        assertEquals(Duration.ofMillis(7500), policy.backoff(1, 0.5));
        assertEquals(Duration.ofSeconds(30), policy.backoff(20, 0.5));
        assertEquals(Duration.ofMillis(2500), policy.backoff(0, 0.0));
        assertTrue(policy.backoff(0, 0.999).compareTo(Duration.ofMillis(7500)) < 0);
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), 1.5, 0.5, Duration.ZERO));
    }

    @Test
    void retriesRetryableFailuresUntilSuccess() throws Exception {
        Retrier retrier = new Retrier(fastPolicy(Duration.ofSeconds(10)), scheduler);
        AtomicInteger attempts = new AtomicInteger();
        List<String> reasons = new ArrayList<>();
        String value = retrier.<String>run(() -> attempts.incrementAndGet() < 3
                        ? CompletableFuture.failedFuture(GrpcErrors.classify(Status.UNAVAILABLE.asRuntimeException()))
                        : CompletableFuture.completedFuture("ok"),
                (failure, attempt, delay) -> reasons.add(failure.reason())).get(5, TimeUnit.SECONDS);
        assertEquals("ok", value);
        assertEquals(3, attempts.get());
        assertEquals(List.of("unavailable", "unavailable"), reasons);
    }

    @Test
    void permanentFailuresAreNotRetried() {
        Retrier retrier = new Retrier(fastPolicy(Duration.ofSeconds(10)), scheduler);
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<Object> result = retrier.run(() -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(GrpcErrors.classify(Status.INVALID_ARGUMENT.asRuntimeException()));
        }, Retrier.Listener.NONE);
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
        assertFalse(((ExportException) e.getCause()).isRetryable());
        assertEquals(1, attempts.get());
    }

    @Test
    void resourceExhaustedIsRetryableOnlyWithRetryInfoAndItsDelayIsHonoured() throws Exception {
        assertFalse(GrpcErrors.classify(Status.RESOURCE_EXHAUSTED.asRuntimeException()).isRetryable());
        ExportException throttled = GrpcErrors.classify(GrpcErrors.resourceExhausted("full", Duration.ofMillis(300)));
        assertTrue(throttled.isRetryable());
        assertEquals(Duration.ofMillis(300), throttled.retryAfter().orElseThrow());

        Retrier retrier = new Retrier(fastPolicy(Duration.ofSeconds(10)), scheduler);
        AtomicInteger attempts = new AtomicInteger();
        long start = System.nanoTime();
        retrier.run(() -> attempts.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(throttled)
                : CompletableFuture.completedFuture("ok"), Retrier.Listener.NONE).get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "waited for RetryInfo's delay");
    }

    @Test
    void givesUpAfterMaxElapsed() {
        Retrier retrier = new Retrier(fastPolicy(Duration.ofMillis(100)), scheduler);
        CompletableFuture<Object> result = retrier.run(
                () -> CompletableFuture.failedFuture(new java.io.IOException("connection reset")), Retrier.Listener.NONE);
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
        assertEquals("retries_exhausted", ((ExportException) e.getCause()).reason());
    }

    @Test
    void aServersDelayIsFollowedForAnHourAtMost() throws Exception {
        ExportException throttled = HttpErrors.classify(429, "9223372036854775807");
        java.util.concurrent.ScheduledThreadPoolExecutor retries = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
        try {
            Retrier never = new Retrier(fastPolicy(Duration.ZERO), retries); // never gives up
            CompletableFuture<Duration> delay = new CompletableFuture<>();
            CompletableFuture<Object> result = never.run(() -> CompletableFuture.failedFuture(throttled),
                    (failure, attempt, wait) -> delay.complete(wait));
            assertEquals(Duration.ofHours(1), delay.get(5, TimeUnit.SECONDS));
            long started = System.nanoTime();
            while (retries.getQueue().isEmpty() && System.nanoTime() - started < 5_000_000_000L) {
                Thread.sleep(10);
            }
            assertEquals(1, retries.getQueue().size(), "the retry is scheduled");
            assertFalse(result.isDone());
        } finally {
            retries.shutdownNow();
        }

        Retrier fiveMinutes = new Retrier(fastPolicy(Duration.ofMinutes(5)), scheduler);
        ExecutionException e = assertThrows(ExecutionException.class, () -> fiveMinutes.run(
                () -> CompletableFuture.failedFuture(throttled), Retrier.Listener.NONE).get(5, TimeUnit.SECONDS));
        assertEquals("retries_exhausted", ((ExportException) e.getCause()).reason(), "an hour is past the five minutes: given up at once");
    }

    @Test
    void whateverIsThrownWhileSettlingAnAttemptEndsTheResult() {
        Retrier retrier = new Retrier(fastPolicy(Duration.ofSeconds(10)), scheduler);
        CompletableFuture<Object> result = retrier.run(() -> CompletableFuture.failedFuture(new java.io.IOException("reset")),
                (failure, attempt, delay) -> {
                    throw new IllegalStateException("a listener's bug");
                });
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(5, TimeUnit.SECONDS));
        assertEquals("a listener's bug", e.getCause().getMessage());
    }

    static RetryPolicy fastPolicy(Duration maxElapsed) {
        return new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(50), 1.5, 0.5, maxElapsed);
    }

    @Test
    void betweenHopsOnlyInvalidArgumentIsPermanent() {
        assertTrue(GrpcErrors.classifyBetweenHops(Status.INTERNAL.withDescription("RST_STREAM closed stream").asRuntimeException()).isRetryable());
        assertTrue(GrpcErrors.classifyBetweenHops(Status.UNIMPLEMENTED.asRuntimeException()).isRetryable());
        assertFalse(GrpcErrors.classifyBetweenHops(Status.INVALID_ARGUMENT.asRuntimeException()).isRetryable());
        assertFalse(GrpcErrors.classify(Status.INTERNAL.asRuntimeException()).isRetryable(), "backends keep the OTLP table");
    }
}
