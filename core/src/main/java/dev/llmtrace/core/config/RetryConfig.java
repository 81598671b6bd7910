package dev.llmtrace.core.config;

import dev.llmtrace.core.retry.RetryPolicy;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;
import java.util.Optional;

/**
 * A retry policy as a config group, for any service's {@code @ConfigMapping}. Unset values come from the
 * defaults of the use: {@link RetryPolicy#internalHopDefaults()} for a hop inside the pipeline,
 * {@link RetryPolicy#collectorDefaults()} for a destination (what users moving from a Collector config expect).
 */
public interface RetryConfig {
    /** Wait before the first retry. */
    Optional<Duration> initialInterval();

    /** Cap on the wait between retries. */
    Optional<Duration> maxInterval();

    Optional<@DecimalMin("1.0") Double> multiplier();

    /** Jitter: each wait is scaled by a random factor in [1 - r, 1 + r]. */
    Optional<@DecimalMin("0.0") @DecimalMax("0.99") Double> randomizationFactor();

    /** Give up after this long (a hop drops, counted; a destination dead-letters); 0 retries for ever. */
    Optional<Duration> maxElapsed();

    /** These settings over {@code defaults}. */
    default RetryPolicy toPolicy(RetryPolicy defaults) {
        return new RetryPolicy(initialInterval().orElse(defaults.initialInterval()), maxInterval().orElse(defaults.maxInterval()),
                multiplier().orElse(defaults.multiplier()), randomizationFactor().orElse(defaults.randomizationFactor()),
                maxElapsed().orElse(defaults.maxElapsed()));
    }
}
