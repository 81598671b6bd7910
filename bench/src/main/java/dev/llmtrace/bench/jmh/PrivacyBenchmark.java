package dev.llmtrace.bench.jmh;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.privacy.PrivacyProcessor;
import dev.llmtrace.core.privacy.Redactor;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Privacy policies on the full Broadcast fixture (prompt with PII and a key), one thread. Score = spans/s. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PrivacyBenchmark {
    PrivacyProcessor full;
    PrivacyProcessor mask;
    PrivacyProcessor drop;
    ExportTraceServiceRequest span;

    @Setup
    public void setUp() {
        byte[] key = "bench-hmac-key-0123456789".getBytes(StandardCharsets.UTF_8);
        full = new PrivacyProcessor(PrivacyPolicy.FULL, Redactor.defaults(), Set.of("user.id"), key);
        mask = new PrivacyProcessor(PrivacyPolicy.MASK, Redactor.defaults(), Set.of("user.id"), key);
        drop = new PrivacyProcessor(PrivacyPolicy.DROP, Redactor.defaults(), Set.of("user.id"), key);
        span = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
    }

    @Benchmark
    public ExportTraceServiceRequest maskFullFixture() {
        return mask.process(span, "acme");
    }

    @Benchmark
    public ExportTraceServiceRequest fullPolicySecretsOnly() {
        return full.process(span, "acme");
    }

    @Benchmark
    public ExportTraceServiceRequest dropContent() {
        return drop.process(span, "acme");
    }
}
