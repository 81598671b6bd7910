package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesFileSinkTest {
    @TempDir
    Path dir;

    @Test
    void writesOneOtlpJsonLinePerRequestAndRotatesBySize() throws Exception {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
        int lineBytes = OtlpJson.toJson(request).length + 1;
        try (JsonLinesFileSink sink = new JsonLinesFileSink(dir, lineBytes * 2L, 3)) {
            for (int i = 0; i < 9; i++) {
                sink.send(OtlpJson.toJson(request), "t").join();
            }
        }
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.sorted().toList();
        }
        assertEquals(3, files.size(), "only the newest maxFiles are kept: " + files);
        for (Path file : files) {
            assertTrue(Files.size(file) <= lineBytes * 2L);
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                assertEquals(request, OtlpJson.parseTraces(line.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }
}
