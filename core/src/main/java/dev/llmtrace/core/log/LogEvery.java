package dev.llmtrace.core.log;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A log line for a condition that repeats with every request while it lasts (a full disk, a full queue):
 * written at most once per interval, saying how many like it were left out. Without it a full disk at a few
 * thousand requests a second writes as many error lines, and the log itself fills the disk further.
 */
public final class LogEvery {
    private static final long NEVER = Long.MIN_VALUE;

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong nextAt = new AtomicLong(NEVER);
    private final AtomicLong leftOut = new AtomicLong();

    public LogEvery(Duration interval) {
        this(interval, System::nanoTime);
    }

    LogEvery(Duration interval, LongSupplier nanoClock) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /** Calls {@code write} with the number of lines left out since the last one, or leaves this one out. */
    public void log(LongConsumer write) {
        long now = nanoClock.getAsLong();
        long next = nextAt.get();
        if ((next != NEVER && now - next < 0) || !nextAt.compareAndSet(next, now + intervalNanos)) {
            leftOut.incrementAndGet();
            return;
        }
        write.accept(leftOut.getAndSet(0));
    }

    /** The tail of a line that left others out: empty when none were. */
    public static String leftOut(long count) {
        return count == 0 ? "" : " (" + count + " more like it since the last such line)";
    }
}
