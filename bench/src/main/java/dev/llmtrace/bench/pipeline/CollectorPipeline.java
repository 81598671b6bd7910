package dev.llmtrace.bench.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The OpenTelemetry Collector doing the same work: OTLP/gRPC in, attributes transformed (the cost
 * and convention attributes enrich adds, computed by OTTL), fanned out to every sink by one OTLP/gRPC
 * exporter each with its own in-memory sending queue. It does not redact and keeps no disk queue.
 */
final class CollectorPipeline extends Contender {
    private final Path binary;
    private final int port = freePort();

    CollectorPipeline(Path binary, Path work) {
        super("otelcol", work);
        this.binary = binary;
    }

    @Override
    int receiverPort() {
        return port;
    }

    @Override
    String token() {
        return null;
    }

    @Override
    void start(List<Integer> sinkPorts) throws Exception {
        StringBuilder yaml = new StringBuilder("""
                receivers:
                  otlp:
                    protocols:
                      grpc:
                        endpoint: 127.0.0.1:%d
                        max_recv_msg_size_mib: 64
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
                exporters:
                """.formatted(port));
        for (int i = 0; i < sinkPorts.size(); i++) {
            yaml.append("""
                      otlp_grpc/sink%d:
                        endpoint: 127.0.0.1:%d
                        compression: none
                        tls:
                          insecure: true
                    """.formatted(i, sinkPorts.get(i)));
        }
        yaml.append("""
                service:
                  telemetry:
                    metrics:
                      level: none
                  pipelines:
                    traces:
                      receivers: [otlp]
                      processors: [attributes/aliases, transform/cost]
                      exporters: [%s]
                """.formatted(String.join(", ", sinkPorts.stream().map(p -> "otlp_grpc/sink" + sinkPorts.indexOf(p)).toList())));
        Files.createDirectories(work);
        Path config = work.resolve("otelcol.yaml");
        Files.writeString(config, yaml);
        Process p = launch("otelcol", List.of(binary.toString(), "--config", config.toString()), Map.of("GOMAXPROCS", "2"));
        awaitPort(port, p, 30);
    }
}
