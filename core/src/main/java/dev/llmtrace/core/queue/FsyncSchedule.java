package dev.llmtrace.core.queue;

import dev.llmtrace.core.Schedulers;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When appended queue records are forced to the disk: every {@code interval} on a daemon thread of its
 * own, or, with an interval of 0, by the writer itself before it answers ({@link #everyWrite()}). A kill
 * -9 loses nothing either way (records reach the page cache on append); this bounds what a power loss takes.
 */
public final class FsyncSchedule implements AutoCloseable {
    private final ScheduledExecutorService syncer;

    /** {@code syncAll} forces every queue concerned; it should not throw (log and go on). */
    public FsyncSchedule(Duration interval, String threadName, Runnable syncAll) {
        if (interval.isZero()) {
            syncer = null;
            return;
        }
        syncer = Schedulers.daemon(threadName);
        syncer.scheduleWithFixedDelay(syncAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True when the writer must sync after each write before answering. */
    public boolean everyWrite() {
        return syncer == null;
    }

    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdownNow();
        }
    }
}
