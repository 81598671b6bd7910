package dev.llmtrace.core.grpc;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Takes each batch once, however often its caller retries it. A caller whose deadline passed while this hop was
 * still working retries a batch this hop then hands on anyway: without this, the next hop gets it twice (under
 * load, a 15 MiB batch took enrich longer than ingest's deadline and arrived twice). So attempts are keyed by
 * batch id ({@link BatchIds}): a retry of a batch still in work waits for that work, a retry of one taken
 * recently is answered as the first attempt was, and one whose attempt failed is worked again.
 *
 * <p>Remembered for {@code window} and at most {@code capacity} batches (a few hundred bytes each): enough to
 * span a caller's deadline and backoff. A retry after that, or one that reaches another replica or a restarted
 * process, is worked again: delivery stays at least once, as OTLP's is.
 */
public final class RepeatedBatches<R> {
    private record Attempt<R>(CompletableFuture<R> result, long startedNanos) {}

    private final Map<String, Attempt<R>> attempts = new LinkedHashMap<>(); // oldest first
    private final Duration window;
    private final int capacity;
    private final LongSupplier clock;

    public RepeatedBatches(Duration window, int capacity) {
        this(window, capacity, System::nanoTime);
    }

    RepeatedBatches(Duration window, int capacity, LongSupplier clock) {
        this.window = window;
        this.capacity = capacity;
        this.clock = clock;
    }

    /**
     * {@code work}'s result for batch {@code id}, started only if no attempt of it is in work or recently
     * succeeded ({@code repeated} is told when one was: the caller counts it). Without an id, {@code work} runs.
     */
    public CompletableFuture<R> once(String id, Supplier<CompletableFuture<R>> work, Runnable repeated) {
        if (id == null) {
            return work.get();
        }
        CompletableFuture<R> mine = new CompletableFuture<>();
        Attempt<R> attempt = new Attempt<>(mine, clock.getAsLong());
        Attempt<R> earlier;
        synchronized (attempts) {
            forgetOld();
            earlier = attempts.putIfAbsent(id, attempt);
        }
        if (earlier != null) {
            repeated.run();
            return earlier.result();
        }
        CompletableFuture<R> started;
        try {
            started = work.get();
        } catch (RuntimeException | Error e) {
            started = CompletableFuture.failedFuture(e);
        }
        started.whenComplete((result, error) -> {
            if (error != null) {
                synchronized (attempts) {
                    attempts.remove(id, attempt); // failed: the retry is worked again
                }
                mine.completeExceptionally(error);
            } else {
                mine.complete(result);
            }
        });
        return mine;
    }

    /** Batches remembered now (in work or taken within the window). */
    public int size() {
        synchronized (attempts) {
            return attempts.size();
        }
    }

    private void forgetOld() {
        long oldest = clock.getAsLong() - window.toNanos();
        Iterator<Attempt<R>> it = attempts.values().iterator();
        while (it.hasNext()) {
            Attempt<R> attempt = it.next();
            if (attempts.size() < capacity && attempt.startedNanos() - oldest > 0) {
                return;
            }
            it.remove();
        }
    }
}
