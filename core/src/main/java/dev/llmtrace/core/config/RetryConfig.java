package dev.llmtrace.core.config;

import dev.llmtrace.core.retry.RetryPolicy;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;

/**
 * A retry policy as a config group, for any service's {@code @ConfigMapping}. Defaults suit a hop
 * inside the pipeline (fast first retry, never give up within a short outage); destinations override
 * them with the Collector's.
 */
public interface RetryConfig {
    /** Wait before the first retry. */
    @WithDefault("100ms")
    Duration initialInterval();

    /** Cap on the wait between retries. */
    @WithDefault("5s")
    Duration maxInterval();

    @WithDefault("1.5")
    @DecimalMin("1.0")
    double multiplier();

    /** Jitter: each wait is scaled by a random factor in [1 - r, 1 + r]. */
    @WithDefault("0.5")
    @DecimalMin("0.0")
    @DecimalMax("0.99")
    double randomizationFactor();

    /** Give up (drop, counted and logged) after this long; 0 retries for ever. */
    @WithDefault("10m")
    Duration maxElapsed();

    default RetryPolicy toPolicy() {
        return new RetryPolicy(initialInterval(), maxInterval(), multiplier(), randomizationFactor(), maxElapsed());
    }
}
