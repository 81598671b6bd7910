package dev.llmtrace.core.config;

import dev.llmtrace.core.retry.RetryPolicy;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;

/**
 * Retry towards an external backend, with the OpenTelemetry Collector's exporter defaults
 * (5 s, 30 s, x1.5, +-50 %, 5 min) so users moving from a Collector config see the same behaviour.
 * Internal hops use {@link RetryConfig}, which retries sooner and longer.
 */
public interface BackendRetryConfig {
    @WithDefault("5s")
    Duration initialInterval();

    @WithDefault("30s")
    Duration maxInterval();

    @WithDefault("1.5")
    @DecimalMin("1.0")
    double multiplier();

    @WithDefault("0.5")
    @DecimalMin("0.0")
    @DecimalMax("0.99")
    double randomizationFactor();

    /** After this, the batch goes to the dead-letter file; 0 retries for ever. */
    @WithDefault("5m")
    Duration maxElapsed();

    default RetryPolicy toPolicy() {
        return new RetryPolicy(initialInterval(), maxInterval(), multiplier(), randomizationFactor(), maxElapsed());
    }
}
