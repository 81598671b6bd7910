package dev.llmtrace.core.retry;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs an asynchronous attempt until it succeeds, fails permanently, or the policy gives up.
 * The scheduler, the random source and the clock are injected so that tests need not sleep at random.
 */
public final class Retrier {

    /** Told about every failed attempt; lets callers count retries without the retrier knowing metrics. */
    public interface Listener {
        Listener NONE = (failure, attempt, delay) -> {};

        /** {@code delay} is null when no retry follows. */
        void onFailure(ExportException failure, int attempt, Duration delay);
    }

    private final RetryPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final DoubleSupplier random;
    private final LongSupplier nanoClock;

    public Retrier(RetryPolicy policy, ScheduledExecutorService scheduler) {
        this(policy, scheduler, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble(), System::nanoTime);
    }

    public Retrier(RetryPolicy policy, ScheduledExecutorService scheduler, DoubleSupplier random, LongSupplier nanoClock) {
        this.policy = policy;
        this.scheduler = scheduler;
        this.random = random;
        this.nanoClock = nanoClock;
    }

    /** Completes with the first success, or exceptionally with the last {@link ExportException}. */
    public <T> CompletableFuture<T> run(Supplier<CompletableFuture<T>> attempt, Listener listener) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(attempt, listener, result, nanoClock.getAsLong(), 0);
        return result;
    }

    private <T> void attempt(Supplier<CompletableFuture<T>> attempt, Listener listener, CompletableFuture<T> result,
            long startNanos, int retries) {
        CompletableFuture<T> future;
        try {
            future = attempt.get();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((value, error) -> {
            try {
                settle(attempt, listener, result, startNanos, retries, value, error);
            } catch (RuntimeException | Error e) { // thrown here it would leave the result waiting for good
                result.completeExceptionally(e);
            }
        });
    }

    private <T> void settle(Supplier<CompletableFuture<T>> attempt, Listener listener, CompletableFuture<T> result,
            long startNanos, int retries, T value, Throwable error) {
        if (error == null) {
            result.complete(value);
            return;
        }
        ExportException failure = ExportException.of(error);
        if (!failure.isRetryable()) {
            listener.onFailure(failure, retries + 1, null);
            result.completeExceptionally(failure);
            return;
        }
        Duration delay = policy.delayFor(retries, random.getAsDouble(), failure.retryAfter());
        Duration elapsed = Duration.ofNanos(nanoClock.getAsLong() - startNanos);
        if (policy.givesUp(elapsed.plus(delay))) {
            listener.onFailure(failure, retries + 1, null);
            result.completeExceptionally(ExportException.permanent("retries_exhausted",
                    "gave up after " + (retries + 1) + " attempts over " + elapsed.toSeconds() + " s: "
                            + failure.getMessage()));
            return;
        }
        listener.onFailure(failure, retries + 1, delay);
        try {
            scheduler.schedule(() -> attempt(attempt, listener, result, startNanos, retries + 1),
                    delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            result.completeExceptionally(failure);
        }
    }
}
