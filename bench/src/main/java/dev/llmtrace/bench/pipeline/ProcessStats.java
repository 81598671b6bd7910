package dev.llmtrace.bench.pipeline;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time (all of it, and its JIT compiler threads'), and resident memory of one process, read from /proc (Linux). */
final class ProcessStats {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux
    /** HotSpot's compiler threads, as Linux names them (15 characters at most); a Go process has none. */
    private static final String JIT_THREAD = "CompilerThre";

    private final long pid;
    private long cpuTicksAtMark;
    private long jitTicksAtMark;
    private long wallNanosAtMark;
    private long maxRssKib;

    ProcessStats(long pid) {
        this.pid = pid;
    }

    /** Starts a measurement window. */
    void mark() {
        cpuTicksAtMark = cpuTicks();
        jitTicksAtMark = jitTicks();
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

    /** Of {@link #cores()}, the share the JIT compilers used since {@link #mark()}: how far from its steady state the JVM still is. */
    double jitCores() {
        double seconds = (System.nanoTime() - wallNanosAtMark) / 1e9;
        return Math.max(0, jitTicks() - jitTicksAtMark) / TICKS_PER_SECOND / seconds; // a compiler thread may have ended
    }

    double maxRssMib() {
        return maxRssKib / 1024.0;
    }

    private long cpuTicks() {
        return ticks(Path.of("/proc/" + pid + "/stat"));
    }

    private long jitTicks() {
        long ticks = 0;
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path thread : threads) {
                if (Files.readString(thread.resolve("comm")).contains(JIT_THREAD)) {
                    ticks += ticks(thread.resolve("stat"));
                }
            }
        } catch (IOException e) {
            // exited, or a thread ended while listed
        }
        return ticks;
    }

    private static long ticks(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
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
