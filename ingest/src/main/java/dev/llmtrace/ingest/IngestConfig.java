package dev.llmtrace.ingest;

import dev.llmtrace.core.config.RetryConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** ingest's settings; defaults in application.properties' comments, validated at start. */
@ConfigMapping(prefix = "ingest")
public interface IngestConfig {

    @Valid
    Auth auth();

    @Valid
    Limits limits();

    @Valid
    Buffer buffer();

    @Valid
    Forward forward();

    @Valid
    Wal wal();

    /** Heap for requests being read, inflated and decoded; defaults and their arithmetic in application.properties. */
    @Valid
    dev.llmtrace.core.config.MemoryConfig memory();

    /** How long the gRPC server keeps a connection (see GrpcServerConfig). */
    dev.llmtrace.core.config.GrpcServerConfig grpc();

    @Valid
    Tls tls();

    /** TLS on the OTLP listeners: the profile {@code tls} in application.properties sets all of it from two files. */
    interface Tls {
        /**
         * A TLS configuration of Quarkus's registry ({@code quarkus.tls.<name>.*}) for the gRPC listener; the HTTP
         * listener names the same one in {@code quarkus.http.tls-configuration-name}.
         */
        Optional<String> configurationName();
    }

    /** Accepted requests on disk until enrich has them, so a 200 survives ingest's crash ({@link WriteAheadLog}). */
    interface Wal {
        /** Off only where losing what ingest holds on a crash is acceptable. */
        @WithDefault("true")
        boolean enabled();

        /** Where the log lives; a volume of its own in Kubernetes. */
        @WithDefault("data/wal")
        Path directory();

        /** How often the log is forced to the disk (power loss); 0 forces it before every answer. A kill -9 loses nothing either way. */
        @WithDefault("1s")
        Duration fsyncInterval();

        /** Size of one log file; a file is deleted once enrich has taken all it holds. */
        @WithDefault("16777216")
        @Min(1048576)
        long segmentBytes();
    }

    interface Auth {
        /** Require a bearer token. Switch off only on a trusted network (the local run does). */
        @WithDefault("true")
        boolean enabled();

        /** {@code tenant=token} pairs separated by commas (env {@code INGEST_AUTH_TOKENS}). */
        Optional<String> tokens();

        /** A file of {@code tenant=token} lines, e.g. a mounted Kubernetes Secret. */
        Optional<Path> tokensFile();

        /** The tenant of data when auth is off. */
        @WithDefault("default")
        @Pattern(regexp = TokenAuthenticator.TENANT_PATTERN, message = "must be 1-64 letters, digits, '.', '_' or '-'")
        String defaultTenant();
    }

    interface Limits {
        /** Largest HTTP body, after decompression (OTLP recommends 20 MiB). */
        @WithDefault("20971520")
        @Min(1024)
        @Max(268435456)
        int maxHttpBodyBytes();

        /** Largest gRPC message, after decompression (OTLP recommends 4 MiB). */
        @WithDefault("4194304")
        @Min(1024)
        @Max(268435456)
        int maxGrpcMessageBytes();

        /**
         * OTLP/gRPC calls whose message may be arriving at once; each may hold up to max-grpc-message-bytes of
         * direct memory until all of it has come ({@link GrpcReceiveLimit}).
         */
        @WithDefault("32")
        @Min(1)
        @Max(4096)
        int maxGrpcCallsReceiving();
    }

    interface Buffer {
        /**
         * Bytes (protobuf-encoded, held as such) for enrich at most; beyond, senders get 503 /
         * RESOURCE_EXHAUSTED. This is heap: keep it well under the JVM's maximum (half the container
         * limit in the images).
         */
        @WithDefault("67108864")
        @Min(1048576)
        long maxBytes();

        /** Requests held for enrich at most. */
        @WithDefault("100000")
        @Min(1)
        int maxRequests();

        /** What a refused sender is told to wait (Retry-After, RetryInfo). */
        @WithDefault("2s")
        Duration retryAfter();

        /**
         * How long a request (HTTP or gRPC) waits for room in a full buffer before its 503 / RESOURCE_EXHAUSTED,
         * holding no thread: a sender that does not retry (OpenRouter Broadcast posts once) sees a slower answer instead
         * of losing its trace, and one at the pipeline's limit is paced instead of sending its request again.
         */
        @WithDefault("1s")
        Duration waitForRoom();
    }

    interface Forward {
        /** Requests in flight to enrich at once. */
        @WithDefault("16")
        @Min(1)
        @Max(1024)
        int concurrency();

        /** Deadline of one call to enrich. */
        @WithDefault("10s")
        Duration timeout();

        /** How long shutdown waits for the buffer to drain to enrich. */
        @WithDefault("15s")
        Duration drainTimeout();

        @Valid
        RetryConfig retry();

        @Valid
        Batch batch();
    }

    /**
     * Requests of one tenant waiting together go to enrich as one call: their protobuf bytes concatenate
     * into one valid request, so batching costs a copy, not a parse.
     */
    interface Batch {
        /** Requests joined into one call at most. 1 turns batching off. */
        @WithDefault("64")
        @Min(1)
        @Max(10000)
        int maxRequests();

        /** Bytes of one call at most (a single larger request still goes alone). Keep it under enrich's message limit. */
        @WithDefault("1048576")
        @Min(1024)
        @Max(4194304)
        int maxBytes();

        /** How long the first request of a batch may wait for others (5 ms cost 5 ms of p50 in the benchmark, no throughput). */
        @WithDefault("1ms")
        Duration maxDelay();
    }
}
