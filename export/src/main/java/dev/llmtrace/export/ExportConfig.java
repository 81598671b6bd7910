package dev.llmtrace.export;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** export's settings, validated at start. */
@ConfigMapping(prefix = "export")
public interface ExportConfig {

    @Valid
    Destination destination();

    @Valid
    Sink sink();

    interface Destination {
        /**
         * Where to send: {@code http://host:4317} for gRPC, or the full URL (e.g.
         * {@code http://host:4318/v1/traces}) for HTTP. Unset: the embedded sink only.
         */
        Optional<URI> endpoint();

        @WithDefault("grpc")
        Protocol protocol();

        /** Extra headers (e.g. Authorization); never logged. */
        Map<String, String> headers();

        @WithDefault("10s")
        Duration timeout();

        /** gzip the body (HTTP) or the message (gRPC). */
        @WithDefault("true")
        boolean gzip();
    }

    enum Protocol {
        GRPC,
        HTTP_PROTOBUF
    }

    interface Sink {
        /** Write OTLP JSON lines files; by default only when no destination is configured. */
        Optional<Boolean> enabled();

        @WithDefault("data/sink")
        @NotBlank
        String directory();

        /** A file is rotated once it reaches this size. */
        @WithDefault("67108864")
        @Min(1024)
        long maxFileBytes();

        /** Rotated files kept; older ones are deleted. */
        @WithDefault("10")
        @Min(1)
        @Max(10000)
        int maxFiles();
    }
}
