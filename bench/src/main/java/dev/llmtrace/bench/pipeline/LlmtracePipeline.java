package dev.llmtrace.bench.pipeline;

import dev.llmtrace.core.privacy.PrivacyPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ingest → enrich → export fanning out to every sink over OTLP/gRPC: the packaged services as three JVMs
 * ({@code llmtrace}), or the all-in-one as one ({@code llmtrace-aio}).
 */
final class LlmtracePipeline extends Contender {
    static final String TOKEN = "bench-token-0123456789";
    private final Path repo;
    private final List<String> jvmOptions;
    private final int ingestGrpc = freePort();
    private final int ingestHttp = freePort();
    private final boolean allInOne;
    private final PrivacyPolicy privacy;

    LlmtracePipeline(Path repo, Path work, List<String> jvmOptions, boolean allInOne, PrivacyPolicy privacy) {
        super(allInOne ? "llmtrace-aio" : "llmtrace", work);
        this.repo = repo;
        this.jvmOptions = jvmOptions;
        this.allInOne = allInOne;
        this.privacy = privacy;
    }

    @Override
    int receiverPort() {
        return ingestGrpc;
    }

    @Override
    int httpPort() {
        return ingestHttp;
    }

    @Override
    String token() {
        return TOKEN;
    }

    @Override
    void start(List<Integer> sinkPorts) throws Exception {
        List<String> export = new ArrayList<>(List.of(
                "-Dexport.queue.directory=" + work.resolve("queue"), "-Dexport.queue.dead-letter-directory=" + work.resolve("dead-letter"),
                "-Dexport.sink.enabled=false"));
        for (int i = 0; i < sinkPorts.size(); i++) {
            export.add("-Dexport.destinations.sink" + i + ".type=otlp-grpc");
            export.add("-Dexport.destinations.sink" + i + ".endpoint=http://127.0.0.1:" + sinkPorts.get(i));
            export.add("-Dexport.destinations.sink" + i + ".gzip=false"); // loopback; the Collector is set to none as well
        }
        int ingestManagement = freePort();
        List<String> ingest = new ArrayList<>(List.of("-Dquarkus.grpc.server.port=" + ingestGrpc,
                "-Dquarkus.http.port=" + ingestHttp, "-Dquarkus.management.port=" + ingestManagement,
                "-Dingest.wal.directory=" + work.resolve("wal")));
        List<String> enrich = new ArrayList<>(List.of("-Denrich.privacy.policy=" + privacy.name().toLowerCase(java.util.Locale.ROOT),
                "-Denrich.privacy.hash-key=bench-hmac-key-0123456789"));
        Map<String, String> tokens = Map.of("INGEST_AUTH_TOKENS", "bench=" + TOKEN);
        if (allInOne) {
            ingest.addAll(export);
            ingest.addAll(enrich);
            Process process = launch("all-in-one", java("all-in-one", ingest), tokens);
            awaitHttp200("http://127.0.0.1:" + ingestManagement + "/q/health/ready", process, 120);
            return;
        }
        int exportGrpc = freePort();
        int exportHttp = freePort();
        export.addAll(List.of("-Dquarkus.grpc.server.port=" + exportGrpc, "-Dquarkus.http.port=" + exportHttp));
        Process exportProcess = launch("export", java("export", export), Map.of());

        int enrichGrpc = freePort();
        int enrichHttp = freePort();
        enrich.addAll(List.of("-Dquarkus.grpc.server.port=" + enrichGrpc, "-Dquarkus.http.port=" + enrichHttp,
                "-Dquarkus.grpc.clients.export.port=" + exportGrpc));
        Process enrichProcess = launch("enrich", java("enrich", enrich), Map.of());

        ingest.add("-Dquarkus.grpc.clients.enrich.port=" + enrichGrpc);
        Process ingestProcess = launch("ingest", java("ingest", ingest), tokens);

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
