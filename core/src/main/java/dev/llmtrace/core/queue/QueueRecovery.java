package dev.llmtrace.core.queue;

import java.util.function.Consumer;

/**
 * What {@link PersistentQueue#open} found on disk: records pending again and their payload bytes, bytes skipped
 * because they did not check out (damage inside a file: the records around them are kept), and bytes cut off the
 * files' ends (a write torn by a crash).
 */
public record QueueRecovery(int records, long bytes, long skippedBytes, long cutBytes) {
    /** Bytes that did not check out were skipped: whatever records they held are lost. */
    public boolean damaged() {
        return skippedBytes > 0;
    }

    /** What came back, and what did not. */
    public String describe() {
        return records + " record(s) pending (" + bytes + " bytes)"
                + (damaged() ? "; " + skippedBytes + " damaged bytes skipped, the records in them lost, the rest kept" : "")
                + (cutBytes > 0 ? "; " + cutBytes + " bytes of a write torn by a crash cut off (never acknowledged: its sender retries)" : "");
    }

    /** Tells {@code warn} of damage and {@code info} of a torn write, each prefixed with {@code what}; nothing when all was read. */
    public void report(String what, Consumer<String> warn, Consumer<String> info) {
        if (damaged()) {
            warn.accept(what + ": " + describe());
        } else if (cutBytes > 0) {
            info.accept(what + ": " + describe());
        }
    }
}
