package dev.llmtrace.export;

import java.nio.file.Path;

/**
 * OTLP/JSON lines in files ({@link JsonLinesFileSink}): the embedded default when no destination is configured
 * ({@code export.sink.*}), and a destination like any other with {@code type=file} and {@code endpoint=file:/dir}
 * (file size and count from {@code export.sink.*}).
 */
final class FileType implements DestinationType {
    @Override
    public String name() {
        return "file";
    }

    @Override
    public Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config) {
        if (!"file".equals(c.endpoint().getScheme()) || c.endpoint().getPath() == null) {
            throw Endpoints.invalid(at + "endpoint", "file needs a file: URL of a directory, e.g. file:/var/lib/llmtrace/traces");
        }
        if (c.encoding() != ExportConfig.Encoding.PROTOBUF || c.protocol().isPresent()) { // protobuf: the default, i.e. unset
            throw Endpoints.invalid(at + "encoding", "file always writes OTLP/JSON lines: remove encoding and protocol");
        }
        return in(Path.of(c.endpoint().getPath()), config.sink());
    }

    /** The sink of {@code export.sink.*} (or a file destination) writing under {@code directory}. */
    static Resolved in(Path directory, ExportConfig.Sink sink) {
        Path absolute = directory.toAbsolutePath();
        return new Resolved(new JsonLinesFileSink(absolute, sink.maxFileBytes(), sink.maxFiles()), ExportConfig.Encoding.JSON, null,
                "OTLP JSON lines under " + absolute);
    }
}
