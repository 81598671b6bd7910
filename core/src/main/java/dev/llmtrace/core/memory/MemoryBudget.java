package dev.llmtrace.core.memory;

import dev.llmtrace.core.config.MemoryConfig;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of heap that requests being read, inflated and decoded may hold at once, with a ceiling per
 * tenant so one sender cannot take all of it. A request that does not fit is refused (the sender
 * retries later) instead of being read into a heap that cannot hold it.
 */
public final class MemoryBudget {
    private final long maxBytes;
    private final long tenantMaxBytes;
    private final AtomicLong used = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> byTenant = new ConcurrentHashMap<>();

    /** A budget from a service's settings, with its gauges ({@code llmtrace_memory_in_flight_bytes}, {@code …_max_bytes}). */
    public static MemoryBudget of(MemoryConfig config, PipelineMetrics metrics) {
        MemoryBudget budget = new MemoryBudget(config.maxInFlightBytes(), config.tenantShare());
        Gauge.builder("llmtrace.memory.in.flight.bytes", budget::used)
                .description("Heap charged to requests in flight").tag("service", metrics.service())
                .register(metrics.registry());
        Gauge.builder("llmtrace.memory.in.flight.max.bytes", budget::maxBytes)
                .description("The ceiling of llmtrace_memory_in_flight_bytes").tag("service", metrics.service())
                .register(metrics.registry());
        return budget;
    }

    /** {@code tenantShare}: the fraction of {@code maxBytes} one tenant may hold, in (0, 1]. */
    public MemoryBudget(long maxBytes, double tenantShare) {
        if (maxBytes <= 0 || tenantShare <= 0 || tenantShare > 1) {
            throw new IllegalArgumentException("maxBytes must be positive and tenantShare in (0, 1]");
        }
        this.maxBytes = maxBytes;
        this.tenantMaxBytes = (long) (maxBytes * tenantShare);
    }

    /** Takes {@code bytes} for {@code tenant}, or nothing and false when either ceiling would be passed. */
    public boolean tryAcquire(String tenant, long bytes) {
        if (bytes <= 0) {
            return true;
        }
        AtomicLong tenantUsed = byTenant.computeIfAbsent(tenant, t -> new AtomicLong());
        if (tenantUsed.addAndGet(bytes) > tenantMaxBytes) {
            tenantUsed.addAndGet(-bytes);
            return false;
        }
        if (used.addAndGet(bytes) > maxBytes) {
            used.addAndGet(-bytes);
            tenantUsed.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /**
     * For a request larger than any tenant's share that must not be refused for good (it was already
     * answered 200 upstream): taken only while nothing else is held, so it is alone in the heap.
     */
    public boolean tryAcquireAlone(String tenant, long bytes) {
        if (!used.compareAndSet(0, bytes)) {
            return false;
        }
        byTenant.computeIfAbsent(tenant, t -> new AtomicLong()).addAndGet(bytes);
        return true;
    }

    /** False when {@code bytes} exceed what one tenant may ever hold: waiting will not help. */
    public boolean couldEverHold(long bytes) {
        return bytes <= tenantMaxBytes;
    }

    public void release(String tenant, long bytes) {
        if (bytes <= 0) {
            return;
        }
        used.addAndGet(-bytes);
        byTenant.get(tenant).addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    public long tenantMaxBytes() {
        return tenantMaxBytes;
    }

    /** Readiness: false while nine tenths are held, when a new request is likely to be refused. */
    public boolean hasRoom() {
        return used.get() < maxBytes / 10 * 9;
    }

    /** One hold on the budget that grows as a request is read and decoded, released once. */
    public Lease lease(String tenant) {
        return new Lease(tenant);
    }

    /** What one request holds; {@link #close} gives it all back. */
    public final class Lease implements AutoCloseable {
        private final String tenant;
        private long held;

        private Lease(String tenant) {
            this.tenant = tenant;
        }

        /** Holds {@code bytes} more, or returns false (holding what it held). */
        public synchronized boolean grow(long bytes) {
            if (!tryAcquire(tenant, bytes)) {
                return false;
            }
            held += bytes;
            return true;
        }

        /** Like {@link #grow}, for a request too large for any share: only while nothing else is held. */
        public synchronized boolean growAlone(long bytes) {
            if (held != 0 || !tryAcquireAlone(tenant, bytes)) {
                return false;
            }
            held = bytes;
            return true;
        }

        /** False when holding {@code more} would pass what one tenant may ever hold. */
        public synchronized boolean couldEverGrow(long more) {
            return couldEverHold(held + more);
        }

        /** Gives back all but {@code bytes}: the request now holds less (its parsed form is garbage, say). */
        public synchronized void shrinkTo(long bytes) {
            if (bytes < held) {
                release(tenant, held - bytes);
                held = bytes;
            }
        }

        public synchronized long held() {
            return held;
        }

        @Override
        public synchronized void close() {
            release(tenant, held);
            held = 0;
        }
    }
}
