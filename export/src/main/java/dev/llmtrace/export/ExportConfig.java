package dev.llmtrace.export;

import dev.llmtrace.core.config.RetryConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** export's settings, validated at start; each {@link DestinationType} checks what depends on it. */
@ConfigMapping(prefix = "export")
public interface ExportConfig {

    /** The destinations by name ({@code export.destinations.<name>.*}). None: the file sink only. */
    Map<String, @Valid DestinationConfig> destinations();

    @Valid
    Sink sink();

    @Valid
    Queue queue();

    /** Detectors, allow-list, extra patterns and hash key for destinations' privacy policies. */
    @Valid
    dev.llmtrace.core.config.PrivacyConfig privacy();

    /** Heap for requests in flight (defaults and their arithmetic in application.properties). */
    @Valid
    dev.llmtrace.core.config.MemoryConfig memory();

    /** How long the gRPC server keeps a connection (see GrpcServerConfig). */
    dev.llmtrace.core.config.GrpcServerConfig grpc();

    /** On shutdown, how long healthy destinations may keep draining their queues; the rest stays on disk. */
    @WithDefault("10s")
    Duration drainTimeout();

    enum Protocol { GRPC, HTTP }

    enum Encoding { PROTOBUF, JSON }

    enum WhenFull { BLOCK, DROP_OLDEST }

    interface DestinationConfig {
        /** tempo, openobserve, grafana-cloud, otlp-grpc, otlp-http, phoenix or file ({@link DestinationTypes}). */
        @NotBlank
        String type();

        /** Base URL: {@code http://tempo:4317}, {@code http://tempo:4318}, {@code https://api.openobserve.ai}, {@code file:/dir}, ... */
        URI endpoint();

        /** Where a type offers both (tempo, openobserve). */
        Optional<Protocol> protocol();

        /** OTLP/HTTP body encoding. */
        @WithDefault("protobuf")
        Encoding encoding();

        /** Extra headers or gRPC metadata; values are never logged. */
        Map<String, String> headers();

        @Valid
        Auth auth();

        /** tempo: a fixed X-Scope-OrgID; unset, the tenant ingest authenticated is sent. */
        Optional<String> tenant();

        /** openobserve: the organization. */
        Optional<String> organization();

        /** openobserve: the stream (OpenObserve's default is "default"). */
        Optional<String> streamName();

        /** openobserve: each tenant's spans into a stream named after the tenant (the stream-name header per batch). */
        Optional<Boolean> streamNameFromTenant();

        /** phoenix: the project every span is filed under (resource openinference.project.name). */
        Optional<String> project();

        /** phoenix: file each tenant's spans under a project named after the tenant. */
        Optional<Boolean> projectFromTenant();

        /** phoenix (HTTP): register each model's prices as the spans state them, so Phoenix's cost views show ours. */
        Optional<Boolean> registerPrices();

        @WithDefault("true")
        boolean gzip();

        @WithDefault("10s")
        Duration timeout();

        @Valid
        Tls tls();

        @Valid
        Filter filter();

        @Valid
        DestinationQueue queue();

        @Valid
        /** Unset values: the Collector's exporter defaults (5 s, 30 s, x1.5, +-50 %, dead letter after 5 min). */
        RetryConfig retry();

        /** full, mask or drop, on top of enrich's global policy; unset: export.privacy.policy. */
        Optional<dev.llmtrace.core.privacy.PrivacyPolicy> privacy();
    }

    /** Credentials; a value may be a ${ENV_VAR} expression, or come from a mounted file. */
    interface Auth {
        Optional<String> bearerToken();

        Optional<Path> bearerTokenFile();

        /** Basic auth user (OpenObserve email, Grafana Cloud instance id). */
        Optional<String> username();

        Optional<String> password();

        Optional<Path> passwordFile();
    }

    interface Tls {
        /** PEM file of CA certificates to trust instead of the JVM's. */
        Optional<Path> caFile();

        /** Trust any certificate. Only when explicitly set; never the default. */
        @WithDefault("false")
        boolean insecureSkipVerify();
    }

    /** Which data a destination gets; all conditions must hold. Unset: everything. */
    interface Filter {
        Optional<List<String>> tenants();

        /** resource service.name values. */
        Optional<List<String>> services();

        /** Attribute key = value, on the resource or the span. */
        Map<String, String> attributes();
    }

    interface DestinationQueue {
        @WithDefault("268435456")
        @Min(1024)
        long maxBytes();

        /** block: refuse new data (enrich and ingest hold and retry it); drop-oldest: make room, counted. */
        @WithDefault("block")
        WhenFull whenFull();

        @WithDefault("4")
        @Min(1)
        @Max(64)
        int consumers();
    }

    interface Queue {
        /** One sub-directory per destination. */
        @WithDefault("data/queue")
        @NotBlank
        String directory();

        /** Batches that exhausted their retries, as OTLP JSON lines. */
        @WithDefault("data/dead-letter")
        @NotBlank
        String deadLetterDirectory();

        /** How often queued data is forced to disk; 0 forces it before every acknowledgement to enrich. */
        @WithDefault("1s")
        Duration fsyncInterval();

        /**
         * How long a batch waits for room in a full blocking queue before it is refused (enrich, and ingest, then
         * hold it and retry); 0 refuses at once. Within enrich's call deadline ({@code enrich.forward.timeout}).
         */
        @WithDefault("2s")
        Duration waitForRoom();

        /**
         * The all-in-one with ingest's write-ahead log on: a batch is sent to a destination with nothing queued before it
         * is queued, and written to the queue only if that send fails or finds the destination's sends all busy; the log
         * holds it meanwhile. false: every batch is queued first. The export service always queues first.
         */
        @WithDefault("true")
        boolean deliverFirst();

        @WithDefault("16777216")
        @Min(4096)
        long segmentBytes();
    }

    interface Sink {
        /** OTLP JSON lines files; by default only when no destination is configured. */
        Optional<Boolean> enabled();

        @WithDefault("data/sink")
        @NotBlank
        String directory();

        @WithDefault("67108864")
        @Min(1024)
        long maxFileBytes();

        @WithDefault("10")
        @Min(1)
        @Max(10000)
        int maxFiles();
    }
}
