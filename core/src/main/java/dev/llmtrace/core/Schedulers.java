package dev.llmtrace.core;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Named single-thread schedulers for background chores (retries, reloads, fsyncs). */
public final class Schedulers {
    private Schedulers() {}

    /** A daemon thread: it must never keep a stopping service alive. */
    public static ScheduledExecutorService daemon(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
