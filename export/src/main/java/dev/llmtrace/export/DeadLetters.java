package dev.llmtrace.export;

import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;

/** Batches whose retries ran out, kept as OTLP JSON lines in {@code <dir>/<destination>/<date>.jsonl} for replay. */
final class DeadLetters {
    private final Path directory;

    DeadLetters(Path directory) {
        this.directory = directory;
    }

    synchronized Path write(String destination, ExportConfig.Encoding encoding, byte[] body) throws IOException {
        Path dir = directory.resolve(destination);
        Files.createDirectories(dir);
        Path file = dir.resolve(LocalDate.now(ZoneOffset.UTC) + ".jsonl");
        byte[] json = encoding == ExportConfig.Encoding.JSON ? body : OtlpJson.toJson(ExportTraceServiceRequest.parseFrom(body));
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return file;
    }
}
