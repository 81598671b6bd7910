package dev.llmtrace.bench.pipeline;

import dev.llmtrace.core.privacy.Detector;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The OpenTelemetry Collector in two configurations. Both receive OTLP/gRPC and OTLP/HTTP, add the cost and
 * convention attributes enrich adds (computed by OTTL) and fan out to every sink by one OTLP/gRPC exporter each.
 * <ul>
 * <li>{@code otelcol} does the work llmtrace does: the redaction processor masks the same detector classes in every
 * string attribute (the secret classes under llmtrace's default policy, all classes under {@code mask}), each
 * exporter has a persistent sending queue on {@code file_storage} (export's queues are on disk too), and a
 * {@code batch} processor with the 1 ms window ingest uses between its hops, as any real configuration has one.
 * <li>{@code otelcol-light} is the configuration of the first benchmark: no redaction, in-memory queues, no batch.
 * </ul>
 */
final class CollectorPipeline extends Contender {
    private final Path binary;
    private final boolean light;
    private final PrivacyPolicy privacy;
    private final int grpcPort = freePort();
    private final int httpPort = freePort();

    CollectorPipeline(Path binary, Path work, boolean light, PrivacyPolicy privacy) {
        super(light ? "otelcol-light" : "otelcol", work);
        this.binary = binary;
        this.light = light;
        this.privacy = privacy;
    }

    @Override
    int receiverPort() {
        return grpcPort;
    }

    @Override
    int httpPort() {
        return httpPort;
    }

    @Override
    String token() {
        return null;
    }

    @Override
    void start(List<Integer> sinkPorts) throws Exception {
        Files.createDirectories(work.resolve("queue"));
        Path config = work.resolve("otelcol.yaml");
        Files.writeString(config, config(sinkPorts));
        Process p = launch(name, List.of(binary.toString(), "--config", config.toString()), Map.of("GOMAXPROCS", "2"));
        awaitPort(grpcPort, p, 30);
        awaitPort(httpPort, p, 30);
    }

    String config(List<Integer> sinkPorts) {
        StringBuilder yaml = new StringBuilder("""
                receivers:
                  otlp:
                    protocols:
                      grpc:
                        endpoint: 127.0.0.1:%d
                        max_recv_msg_size_mib: 64
                      http:
                        endpoint: 127.0.0.1:%d
                processors:
                  attributes/aliases:
                    actions:
                      - {key: llm.model_name, from_attribute: gen_ai.request.model, action: insert}
                      - {key: llm.provider, from_attribute: gen_ai.provider.name, action: insert}
                      - {key: llm.token_count.prompt, from_attribute: gen_ai.usage.input_tokens, action: insert}
                      - {key: llm.token_count.completion, from_attribute: gen_ai.usage.output_tokens, action: insert}
                      - {key: llmtrace.cost.source, value: table, action: insert}
                  transform/cost:
                    trace_statements:
                      - context: span
                        statements:
                          - set(attributes["llm.cost.prompt"], Double(attributes["gen_ai.usage.input_tokens"]) * 0.0000025) where attributes["gen_ai.usage.input_tokens"] != nil
                          - set(attributes["llm.cost.completion"], Double(attributes["gen_ai.usage.output_tokens"]) * 0.00001) where attributes["gen_ai.usage.output_tokens"] != nil
                          - set(attributes["llm.cost.total"], attributes["llm.cost.prompt"] + attributes["llm.cost.completion"]) where attributes["llm.cost.prompt"] != nil and attributes["llm.cost.completion"] != nil
                """.formatted(grpcPort, httpPort));
        if (!light) {
            yaml.append("""
                      batch:
                        timeout: 1ms
                        send_batch_size: 512
                      redaction/privacy:
                        allow_all_keys: true
                        summary: silent
                        blocked_values:
                    """);
            Arrays.stream(Detector.values()).filter(d -> d.isSecret() || privacy == PrivacyPolicy.MASK)
                    .forEach(d -> yaml.append("      - '").append(d.expression().replace("'", "''")).append("'\n"));
            yaml.append("""
                    extensions:
                      file_storage/queue:
                        directory: %s
                    """.formatted(work.resolve("queue")));
        }
        yaml.append("exporters:\n");
        for (int i = 0; i < sinkPorts.size(); i++) {
            yaml.append("""
                      otlp_grpc/sink%d:
                        endpoint: 127.0.0.1:%d
                        compression: none
                        tls:
                          insecure: true
                    """.formatted(i, sinkPorts.get(i)));
            if (!light) {
                yaml.append("""
                            sending_queue:
                              enabled: true
                              storage: file_storage/queue
                        """);
            }
        }
        String exporters = IntStream.range(0, sinkPorts.size()).mapToObj(i -> "otlp_grpc/sink" + i).collect(Collectors.joining(", "));
        String processors = light ? "attributes/aliases, transform/cost" : "redaction/privacy, attributes/aliases, transform/cost, batch";
        yaml.append("""
                service:
                  %s
                  telemetry:
                    metrics:
                      level: none
                  pipelines:
                    traces:
                      receivers: [otlp]
                      processors: [%s]
                      exporters: [%s]
                """.formatted(light ? "" : "extensions: [file_storage/queue]", processors, exporters));
        return yaml.toString();
    }
}
