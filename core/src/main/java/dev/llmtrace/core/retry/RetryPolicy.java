package dev.llmtrace.core.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * Jittered exponential backoff, as an immutable value. The n-th retry waits
 * {@code min(maxInterval, initialInterval * multiplier^n)} scaled by a random factor in
 * {@code [1 - randomization, 1 + randomization]}; attempts stop once {@code maxElapsed} has passed
 * ({@link Duration#ZERO} means never).
 */
public record RetryPolicy(Duration initialInterval, Duration maxInterval, double multiplier,
        double randomizationFactor, Duration maxElapsed) {

    public RetryPolicy {
        Objects.requireNonNull(initialInterval, "initialInterval");
        Objects.requireNonNull(maxInterval, "maxInterval");
        Objects.requireNonNull(maxElapsed, "maxElapsed");
        if (initialInterval.isNegative() || initialInterval.isZero()) {
            throw new IllegalArgumentException("initialInterval must be positive");
        }
        if (maxInterval.compareTo(initialInterval) < 0) {
            throw new IllegalArgumentException("maxInterval must be at least initialInterval");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1");
        }
        if (randomizationFactor < 0 || randomizationFactor >= 1) {
            throw new IllegalArgumentException("randomizationFactor must be in [0, 1)");
        }
        if (maxElapsed.isNegative()) {
            throw new IllegalArgumentException("maxElapsed must not be negative");
        }
    }

    /** The OpenTelemetry Collector's exporter defaults: 5 s, 30 s, x1.5, +-50 %, give up after 5 min. */
    public static RetryPolicy collectorDefaults() {
        return new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(30), 1.5, 0.5, Duration.ofMinutes(5));
    }

    /** A hop inside the pipeline: retry soon (100 ms, 5 s, x1.5, +-50 %) and long (10 min) through a short outage. */
    public static RetryPolicy internalHopDefaults() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), 1.5, 0.5, Duration.ofMinutes(10));
    }

    /**
     * The wait before retry number {@code retry} (0 for the first retry).
     *
     * @param random a value in [0, 1), injected so tests are deterministic
     */
    public Duration backoff(int retry, double random) {
        double base = initialInterval.toNanos() * Math.pow(multiplier, Math.min(retry, 64));
        base = Math.min(base, maxInterval.toNanos());
        double jittered = base * (1 - randomizationFactor + 2 * randomizationFactor * random);
        return Duration.ofNanos((long) jittered);
    }

    /** The wait before retry {@code retry}: the backoff, or the server's requested delay if that is longer. */
    public Duration delayFor(int retry, double random, java.util.Optional<Duration> serverDelay) {
        Duration delay = backoff(retry, random);
        return serverDelay.filter(d -> d.compareTo(delay) > 0).map(d -> d.compareTo(MAX_SERVER_DELAY) > 0 ? MAX_SERVER_DELAY : d)
                .orElse(delay);
    }

    /**
     * The longest wait a server's Retry-After or RetryInfo is followed for: "Retry-After: 9223372036854775807"
     * overflowed the scheduler's nanoseconds, and the retry was never scheduled nor the batch given up on.
     */
    static final Duration MAX_SERVER_DELAY = Duration.ofHours(1);

    public boolean givesUp(Duration elapsedAfterNextWait) {
        return !maxElapsed.isZero() && elapsedAfterNextWait.compareTo(maxElapsed) > 0;
    }
}
