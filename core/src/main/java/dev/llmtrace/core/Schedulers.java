package dev.llmtrace.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Named daemon threads for background work: single-thread schedulers for chores (retries, reloads, fsyncs), pools for stages. */
public final class Schedulers {
    private Schedulers() {}

    /** A daemon thread: it must never keep a stopping service alive. */
    public static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(daemons(name, false));
    }

    /**
     * A daemon thread for many short timeouts that are nearly all cancelled: a cancelled one leaves the queue at once,
     * and with it whatever its task holds (the default keeps it queued until it would have run).
     */
    public static ScheduledExecutorService timer(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemons(name, false));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** {@code threads} daemon threads named {@code name-1}, {@code name-2}, … */
    public static ExecutorService daemonPool(String name, int threads) {
        return Executors.newFixedThreadPool(threads, daemons(name, true));
    }

    private static ThreadFactory daemons(String name, boolean numbered) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, numbered ? name + "-" + count.incrementAndGet() : name);
            t.setDaemon(true);
            return t;
        };
    }
}
