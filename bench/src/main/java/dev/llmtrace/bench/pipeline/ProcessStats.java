package dev.llmtrace.bench.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of one process, read from /proc (Linux). */
final class ProcessStats {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final long pid;
    private long cpuTicksAtMark;
    private long wallNanosAtMark;
    private long maxRssKib;

    ProcessStats(long pid) {
        this.pid = pid;
    }

    /** Starts a measurement window. */
    void mark() {
        cpuTicksAtMark = cpuTicks();
        wallNanosAtMark = System.nanoTime();
        maxRssKib = rssKib();
    }

    /** Call often during the window: RSS is sampled, not integrated. */
    void sample() {
        maxRssKib = Math.max(maxRssKib, rssKib());
    }

    /** Cores used on average since {@link #mark()}. */
    double cores() {
        double seconds = (System.nanoTime() - wallNanosAtMark) / 1e9;
        return (cpuTicks() - cpuTicksAtMark) / TICKS_PER_SECOND / seconds;
    }

    double maxRssMib() {
        return maxRssKib / 1024.0;
    }

    private long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        } catch (IOException e) {
            return 0;
        }
    }

    private long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // exited
        }
        return 0;
    }
}
