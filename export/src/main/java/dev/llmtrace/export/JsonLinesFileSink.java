package dev.llmtrace.export;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The embedded default destination: each request (queued as OTLP/JSON) becomes one line in
 * {@code <directory>/traces-<time>.jsonl}; a file is rotated at {@code maxFileBytes} and only the newest
 * {@code maxFiles} are kept. Any OTLP/JSON reader (or {@code jq}) can read the lines back.
 */
final class JsonLinesFileSink implements Sender {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final Path directory;
    private final long maxFileBytes;
    private final int maxFiles;
    private Path current;
    private OutputStream out;
    private long written;
    private int sequence;

    JsonLinesFileSink(Path directory, long maxFileBytes, int maxFiles) {
        this.directory = directory;
        this.maxFileBytes = maxFileBytes;
        this.maxFiles = maxFiles;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create sink directory " + directory, e);
        }
    }

    @Override
    public synchronized CompletableFuture<Result> send(byte[] line, String tenant) {
        try {
            if (out == null || written + line.length + 1 > maxFileBytes && written > 0) {
                rotate();
            }
            out.write(line);
            out.write('\n');
            out.flush();
            written += line.length + 1;
            return CompletableFuture.completedFuture(Result.OK);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(
                    dev.llmtrace.core.retry.ExportException.retryable("io", "cannot write sink file: " + e.getMessage(), e));
        }
    }

    private void rotate() throws IOException {
        closeQuietly();
        current = directory.resolve("traces-" + STAMP.format(Instant.now()) + "-" + (sequence++) + ".jsonl");
        out = Files.newOutputStream(current, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(current);
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> all = files.filter(p -> p.getFileName().toString().matches("traces-.*\\.jsonl")).sorted().toList();
            for (int i = 0; i < all.size() - maxFiles; i++) {
                Files.deleteIfExists(all.get(i));
            }
        }
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the data was flushed after each line
            }
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
