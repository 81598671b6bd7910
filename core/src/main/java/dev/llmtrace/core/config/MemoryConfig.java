package dev.llmtrace.core.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;

/**
 * Heap that requests in flight may hold in one service ({@code <service>.memory.*}); defaults in each
 * service's application.properties, with the arithmetic for its heap.
 */
public interface MemoryConfig {
    /** Bytes charged to requests in flight at most; past it, new requests are refused as retryable. */
    @Min(4194304)
    long maxInFlightBytes();

    /** Fraction of max-in-flight-bytes that one tenant may hold. */
    @DecimalMin("0.05")
    @DecimalMax("1.0")
    double tenantShare();
}
