package dev.llmtrace.bench.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ingest → enrich → export, the packaged services as three JVMs, export fanning out to every sink over OTLP/gRPC. */
final class LlmtracePipeline extends Contender {
    static final String TOKEN = "bench-token-0123456789";
    private final Path repo;
    private final List<String> jvmOptions;
    private final int ingestGrpc = freePort();

    LlmtracePipeline(Path repo, Path work, List<String> jvmOptions) {
        super("llmtrace", work);
        this.repo = repo;
        this.jvmOptions = jvmOptions;
    }

    @Override
    int receiverPort() {
        return ingestGrpc;
    }

    @Override
    String token() {
        return TOKEN;
    }

    @Override
    void start(List<Integer> sinkPorts) throws Exception {
        int exportGrpc = freePort();
        int exportHttp = freePort();
        List<String> export = new ArrayList<>(List.of(
                "-Dquarkus.grpc.server.port=" + exportGrpc, "-Dquarkus.http.port=" + exportHttp,
                "-Dexport.queue.directory=" + work.resolve("queue"), "-Dexport.queue.dead-letter-directory=" + work.resolve("dead-letter"),
                "-Dexport.sink.enabled=false"));
        for (int i = 0; i < sinkPorts.size(); i++) {
            export.add("-Dexport.destinations.sink" + i + ".type=otlp-grpc");
            export.add("-Dexport.destinations.sink" + i + ".endpoint=http://127.0.0.1:" + sinkPorts.get(i));
            export.add("-Dexport.destinations.sink" + i + ".gzip=false"); // loopback; the Collector is set to none as well
        }
        Process exportProcess = launch("export", java("export", export), Map.of());

        int enrichGrpc = freePort();
        int enrichHttp = freePort();
        Process enrichProcess = launch("enrich", java("enrich", List.of("-Dquarkus.grpc.server.port=" + enrichGrpc,
                "-Dquarkus.http.port=" + enrichHttp, "-Dquarkus.grpc.clients.export.port=" + exportGrpc)), Map.of());

        int ingestHttp = freePort();
        int ingestManagement = freePort();
        Process ingestProcess = launch("ingest", java("ingest", List.of("-Dquarkus.grpc.server.port=" + ingestGrpc,
                "-Dquarkus.http.port=" + ingestHttp, "-Dquarkus.management.port=" + ingestManagement,
                "-Dquarkus.grpc.clients.enrich.port=" + enrichGrpc, "-Dingest.wal.directory=" + work.resolve("wal"))),
                Map.of("INGEST_AUTH_TOKENS", "bench=" + TOKEN));

        awaitHttp200("http://127.0.0.1:" + exportHttp + "/q/health/ready", exportProcess, 120);
        awaitHttp200("http://127.0.0.1:" + enrichHttp + "/q/health/ready", enrichProcess, 120);
        awaitHttp200("http://127.0.0.1:" + ingestManagement + "/q/health/ready", ingestProcess, 120);
    }

    private List<String> java(String module, List<String> properties) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        jvmOptions.forEach(option -> command.add(option.replace("{service}", module))); // e.g. a JFR file per service
        command.addAll(properties);
        command.add("-jar");
        command.add(repo.resolve(module + "/target/quarkus-app/quarkus-run.jar").toString());
        return command;
    }
}
