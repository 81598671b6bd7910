package dev.llmtrace.e2e;

import dev.llmtrace.core.FakeOtlpReceiver;
import dev.llmtrace.core.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** ingest → enrich → export as three processes on free ports, export delivering to a fake backend and the file sink. */
final class Pipeline implements AutoCloseable {
    static final String TOKEN = "e2e-token-0123456789";
    static final String TENANT = "e2e";
    static final Duration READY = Duration.ofSeconds(90);
    /** A destination credential: it must never show up in a log. */
    static final String BACKEND_SECRET = "backend-secret-4242";

    final FakeOtlpReceiver backend = FakeOtlpReceiver.onFreePort();
    final int ingestGrpc = FreePorts.next();
    final int ingestHttp = FreePorts.next();
    final Path sinkDir;
    final ServiceProcess ingest;
    final ServiceProcess enrich;
    final ServiceProcess export;

    Pipeline(String name) {
        this(name, Map.of());
    }

    /** {@code exportSettings} are added to export's (more destinations, say). */
    Pipeline(String name, Map<String, String> exportSettings) {
        this(name, exportSettings, Map.of());
    }

    /** {@code exportSettings} and {@code ingestSettings} are added to those services' own. */
    Pipeline(String name, Map<String, String> exportSettings, Map<String, String> ingestSettings) {
        Path work = freshDirectory(name);
        sinkDir = work.resolve("sink");
        int enrichGrpc = FreePorts.next();
        int exportGrpc = FreePorts.next();

        Map<String, String> exportProps = new HashMap<>();
        exportProps.put("quarkus.grpc.server.port", Integer.toString(exportGrpc));
        exportProps.put("quarkus.http.port", Integer.toString(FreePorts.next()));
        exportProps.putAll(exportTo(backend.port(), work));
        exportProps.put("export.sink.enabled", "true");
        exportProps.put("export.sink.directory", sinkDir.toString());
        exportProps.putAll(exportSettings);
        export = new ServiceProcess("export", exportProps, Map.of(), Integer.parseInt(exportProps.get("quarkus.http.port")), work);

        Map<String, String> enrichProps = new HashMap<>();
        enrichProps.put("quarkus.grpc.server.port", Integer.toString(enrichGrpc));
        enrichProps.put("quarkus.http.port", Integer.toString(FreePorts.next()));
        enrichProps.put("quarkus.grpc.clients.export.port", Integer.toString(exportGrpc));
        enrich = new ServiceProcess("enrich", enrichProps, Map.of(), Integer.parseInt(enrichProps.get("quarkus.http.port")), work);

        Map<String, String> ingestProps = new HashMap<>();
        ingestProps.put("quarkus.grpc.server.port", Integer.toString(ingestGrpc));
        ingestProps.put("quarkus.http.port", Integer.toString(ingestHttp));
        ingestProps.put("quarkus.management.port", Integer.toString(FreePorts.next()));
        ingestProps.put("quarkus.grpc.clients.enrich.port", Integer.toString(enrichGrpc));
        ingestProps.put("ingest.wal.directory", work.resolve("wal").toString());
        ingestProps.putAll(ingestSettings);
        // tokens through the environment, as a Kubernetes Secret would pass them
        ingest = new ServiceProcess("ingest", ingestProps, Map.of("INGEST_AUTH_TOKENS", TENANT + "=" + TOKEN),
                Integer.parseInt(ingestProps.get("quarkus.management.port")), work);
    }

    /** e2e/target/NAME, emptied: a queue left by an earlier run would replay into this one. */
    static Path freshDirectory(String name) {
        Path dir = ServiceProcess.repoRoot().resolve("e2e/target/" + name);
        if (java.nio.file.Files.exists(dir)) {
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** export's settings for one OTLP/gRPC destination, with its queue under {@code work}. */
    static Map<String, String> exportTo(int backendPort, Path work) {
        return Map.of(
                "export.destinations.backend.type", "otlp-grpc",
                "export.destinations.backend.endpoint", "http://127.0.0.1:" + backendPort,
                "export.destinations.backend.auth.bearer-token", BACKEND_SECRET,
                "export.destinations.backend.retry.initial-interval", "200ms",
                "export.destinations.backend.retry.max-interval", "2s",
                "export.queue.directory", work.resolve("queue").toString(),
                "export.queue.dead-letter-directory", work.resolve("dead-letter").toString());
    }

    Pipeline start() {
        export.start();
        enrich.start();
        ingest.start();
        export.awaitReady(READY);
        enrich.awaitReady(READY);
        ingest.awaitReady(READY);
        return this;
    }

    @Override
    public void close() {
        ingest.close();
        enrich.close();
        export.close();
        backend.close();
    }
}
