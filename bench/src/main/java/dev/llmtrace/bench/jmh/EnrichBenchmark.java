package dev.llmtrace.bench.jmh;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.enrich.ConventionsProcessor;
import dev.llmtrace.enrich.CostProcessor;
import dev.llmtrace.enrich.EnrichConfig;
import dev.llmtrace.enrich.LlmMetrics;
import dev.llmtrace.enrich.SpanStep;
import dev.llmtrace.enrich.pricing.PricingTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import jakarta.validation.Validation;
import java.io.InputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The enrichment step (cost, conventions, LLM metrics) on the OpenRouter Broadcast fixture, one
 * thread. Scores are spans per second: the batch benchmark counts each of its 100 spans.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EnrichBenchmark {
    static final int BATCH = 100;

    dev.llmtrace.core.SpanProcessor spanSteps;
    dev.llmtrace.core.TraceProcessor processor;
    ExportTraceServiceRequest one;
    ExportTraceServiceRequest batch;
    /** The batch as enrich receives it, and its steps as enrich runs them by default (cost, conventions, privacy full). */
    byte[] batchBytes;
    dev.llmtrace.core.SpanProcessor enrichSteps;
    /** The same hop without conventions (cost, privacy), to tell what it costs; without privacy it is {@link #spanSteps}. */
    dev.llmtrace.core.SpanProcessor withoutConventions;

    @Setup
    public void setUp() throws Exception {
        PricingTable table;
        try (InputStream in = EnrichBenchmark.class.getResourceAsStream("/pricing/litellm-prices.json")) {
            table = PricingTable.of(PricingTable.read(in, "shipped", Validation.byDefaultProvider().configure()
                    .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator()));
        }
        CostProcessor cost = new CostProcessor(() -> table, 0.01, new LlmMetrics(new SimpleMeterRegistry(), 200));
        // the shipped alias sets (EnrichConfig's default): since 2026-12-06 without the content copies (openinference-content)
        spanSteps = SpanStep.fused(List.of(cost, new ConventionsProcessor(EnumSet.of(EnrichConfig.AliasSet.OPENOBSERVE,
                EnrichConfig.AliasSet.OPENINFERENCE))));
        processor = spanSteps;
        one = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
        Span template = one.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        ScopeSpans.Builder spans = one.getResourceSpans(0).getScopeSpans(0).toBuilder().clearSpans();
        for (int i = 0; i < BATCH; i++) {
            spans.addSpans(template.toBuilder().setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 1, (byte) (i + 1)})));
        }
        batch = one.toBuilder().setResourceSpans(0, one.getResourceSpans(0).toBuilder().setScopeSpans(0, spans)).build();
        batchBytes = batch.toByteArray();
        dev.llmtrace.core.privacy.PrivacyProcessor privacy = new dev.llmtrace.core.privacy.PrivacyProcessor(
                dev.llmtrace.core.privacy.PrivacyPolicy.FULL, dev.llmtrace.core.privacy.Redactor.defaults(), java.util.Set.of(), null);
        enrichSteps = dev.llmtrace.core.SpanProcessor.chain(List.of(spanSteps, privacy));
        withoutConventions = dev.llmtrace.core.SpanProcessor.chain(List.of(SpanStep.fused(List.of(cost)), privacy));
    }

    /** enrich's hop from bytes to bytes as it was: parse the request, the default steps (cost, conventions, privacy full), serialize. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public byte[] hopBytesToBytes() throws Exception {
        return enrichSteps.process(ExportTraceServiceRequest.parseFrom(batchBytes), "acme").toByteArray();
    }

    /** The same hop as enrich runs it now: span by span on the wire (SpanStream). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public byte[] hopSpanBySpan() throws Exception {
        return dev.llmtrace.core.otlp.SpanStream.process(batchBytes, enrichSteps, "acme").bytes();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public byte[] hopSpanBySpanWithoutConventions() throws Exception {
        return dev.llmtrace.core.otlp.SpanStream.process(batchBytes, withoutConventions, "acme").bytes();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public byte[] hopSpanBySpanWithoutPrivacy() throws Exception {
        return dev.llmtrace.core.otlp.SpanStream.process(batchBytes, spanSteps, "acme").bytes();
    }

    @Benchmark
    public ExportTraceServiceRequest broadcastSpan() {
        return processor.process(one, "acme");
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public ExportTraceServiceRequest broadcastBatchOf100() {
        return processor.process(batch, "acme");
    }
}
