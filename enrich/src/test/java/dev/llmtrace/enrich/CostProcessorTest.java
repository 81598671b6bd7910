package dev.llmtrace.enrich;

import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.otlp.Attributes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.enrich.pricing.ModelPrice;
import dev.llmtrace.enrich.pricing.PricingTable;
import dev.llmtrace.enrich.pricing.PricingTableTest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CostProcessorTest {
    static final PricingTable TABLE = PricingTableTest.shipped();
    final List<LlmCall> calls = new ArrayList<>();
    final TraceProcessor processor = costAndConventions(TABLE, EnumSet.allOf(EnrichConfig.AliasSet.class), calls::add);

    /** The cost step and the conventions step after it, as enrich runs them by default (one pass over the spans). */
    static TraceProcessor costAndConventions(PricingTable table, java.util.Set<EnrichConfig.AliasSet> aliases, LlmCall.Listener listener) {
        return SpanStep.fused(List.of(new CostProcessor(() -> table, 0.01, listener), new ConventionsProcessor(aliases)));
    }

    static Span only(ExportTraceServiceRequest r) {
        return r.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    }

    static Optional<AnyValue> attr(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
    }

    static double cost(Span span, String key) {
        return attr(span, key).orElseThrow(() -> new AssertionError("no " + key)).getDoubleValue();
    }

    ExportTraceServiceRequest enrich(String fixture) {
        return processor.process(OtlpJson.parseTraces(Fixtures.bytes(fixture)), "acme");
    }

    @Test
    void broadcastCostStaysTheTruthAndOurEstimateMatchesItTo1e12() {
        Span before = only(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)));
        Span after = only(enrich(Fixtures.BROADCAST_FULL));
        assertEquals(before.getAttributesList(), after.getAttributesList().subList(0, before.getAttributesCount()),
                "nothing removed, renamed or reordered");
        assertEquals(0.00885, cost(after, "gen_ai.usage.total_cost"));
        assertEquals(0.00885, cost(after, "llmtrace.cost.estimate_usd"), 1e-12, "our table agrees with OpenRouter");
        assertEquals(0.0, cost(after, "llmtrace.cost.drift"), 1e-9);
        assertEquals("sender", attr(after, "llmtrace.cost.source").get().getStringValue());
        assertEquals("ok", attr(after, "llmtrace.cost.unit_price_check").get().getStringValue());
        assertEquals(0.00885, cost(after, "gen_ai.usage.cost"), "OpenObserve's GenAI view");
        assertEquals("session_abc", attr(after, "gen_ai.conversation.id").get().getStringValue());
        assertEquals(0.00885, cost(after, "llm.cost.total"), "OpenInference, for Phoenix");
        assertEquals(1200, attr(after, "llm.token_count.prompt").get().getIntValue());
        LlmCall call = calls.get(0);
        assertEquals("Support Bot", call.apiKey());
        assertEquals("acme", call.tenant());
        assertEquals(0.00885, call.costUsd());
        assertFalse(call.costDrift());
    }

    @Test
    void freeModelCostsNothing() {
        Span after = only(enrich(Fixtures.BROADCAST_PRIVACY_ERROR));
        assertEquals(0.0, cost(after, "gen_ai.usage.total_cost"));
        assertEquals(0.0, cost(after, "llmtrace.cost.estimate_usd"));
        assertEquals("error", calls.get(0).status());
        assertEquals(12, attr(after, "llm.token_count.prompt").get().getIntValue());
    }

    @Test
    void openInferenceSpanGetsCostFromTheTable() {
        Span after = only(enrich(Fixtures.OPENINFERENCE_CHAT));
        double expected = 14 * 2.5e-6 + 9 * 1e-5;
        assertEquals(expected, cost(after, "gen_ai.usage.total_cost"), 1e-15);
        assertEquals(14 * 2.5e-6, cost(after, "gen_ai.usage.input_cost"), 1e-15);
        assertEquals(expected, cost(after, "llm.cost.total"), 1e-15);
        assertEquals("table", attr(after, "llmtrace.cost.source").get().getStringValue());
        assertEquals("gpt-4o", attr(after, "llmtrace.cost.model").get().getStringValue());
        assertEquals("openai/gpt-4o", attr(after, "gen_ai.request.model").get().getStringValue(), "canonical GenAI name added");
        assertEquals(14, attr(after, "gen_ai.usage.input_tokens").get().getIntValue());
        assertEquals("openai", attr(after, "gen_ai.provider.name").get().getStringValue());
    }

    @Test
    void unknownModelGetsAMarkerAndNoCost() {
        ExportTraceServiceRequest request = request(span("acme/mystery-7b", Convention.OTEL, 100, 50));
        Span after = only(processor.process(request, "t"));
        assertTrue(attr(after, "llmtrace.cost.unknown_model").get().getBoolValue());
        assertTrue(attr(after, "gen_ai.usage.total_cost").isEmpty());
        assertTrue(attr(after, "llm.cost.total").isEmpty());
        assertTrue(calls.get(0).unknownModel());
    }

    @Test
    void aThirdPartyHostsPriceIsMarkedAsAnEstimateWithItsEntry() {
        Span after = only(processor.process(request(span("meta-llama/llama-3.3-70b-instruct", Convention.OPENINFERENCE, 1000, 100)), "t"));
        assertEquals("estimate", attr(after, "llmtrace.cost.source").get().getStringValue());
        String entry = attr(after, "llmtrace.cost.model").get().getStringValue();
        PricingTable.Match match = TABLE.lookup("meta-llama/llama-3.3-70b-instruct").orElseThrow();
        assertEquals(match.key(), entry, "the entry the estimate came from");
        assertEquals(1000 * match.price().input() + 100 * match.price().output(), cost(after, "gen_ai.usage.total_cost"), 1e-15);
    }

    @Test
    void aFirstHandPriceUnderTheProvidersOwnSpellingIsNoEstimate() {
        Span after = only(processor.process(request(span("x-ai/grok-code-fast-1", Convention.OTEL, 1000, 100)), "t"));
        assertEquals("table", attr(after, "llmtrace.cost.source").get().getStringValue());
        assertEquals("xai/grok-code-fast-1", attr(after, "llmtrace.cost.model").get().getStringValue());
    }

    @Test
    void aliasesNeverInventAResponseModelAndSpeakOpenInferenceProviderNames() {
        Span error = Span.newBuilder().setName("chat").setTraceId(ByteString.copyFrom(new byte[16]))
                .addAttributes(Attributes.string("gen_ai.operation.name", "chat"))
                .addAttributes(Attributes.string("gen_ai.request.model", "anthropic/claude-sonnet-4"))
                .addAttributes(Attributes.integer("gen_ai.usage.input_tokens", 100))
                .addAttributes(Attributes.string("gen_ai.provider.name", "aws.bedrock"))
                .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder().setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR))
                .build();
        Span after = only(processor.process(request(error), "t"));
        assertTrue(attr(after, "gen_ai.response.model").isEmpty(), "no response, no response model");
        assertEquals("aws", attr(after, "llm.provider").get().getStringValue());
        assertEquals("google", ConventionsProcessor.openInferenceProvider("gcp.vertex_ai"));
        assertEquals("azure", ConventionsProcessor.openInferenceProvider("azure.ai.openai"));
        assertEquals(null, ConventionsProcessor.openInferenceProvider("acme.cloud"), "unknown values are left out, not copied");
    }

    @Test
    void broadcastPromptAndCompletionBecomeOpenInferenceInputAndOutput() {
        Span after = only(enrich(Fixtures.BROADCAST_FULL));
        assertEquals(attr(after, "gen_ai.prompt").get().getStringValue(), attr(after, "input.value").get().getStringValue());
        assertEquals(attr(after, "gen_ai.completion").get().getStringValue(), attr(after, "output.value").get().getStringValue());
        assertEquals("application/json", attr(after, "input.mime_type").get().getStringValue());
        assertEquals("LLM", attr(after, "openinference.span.kind").get().getStringValue());
        dev.llmtrace.core.privacy.PrivacyProcessor drop = new dev.llmtrace.core.privacy.PrivacyProcessor(
                dev.llmtrace.core.privacy.PrivacyPolicy.DROP, dev.llmtrace.core.privacy.Redactor.defaults(), java.util.Set.of(), null);
        Span dropped = only(drop.process(request(after), "t"));
        assertTrue(attr(dropped, "input.value").isEmpty() && attr(dropped, "output.value").isEmpty(),
                "a destination that may not see content sees it under no name");

        // by default the copies are left to the destinations that show them (export's phoenix type)
        TraceProcessor defaults = costAndConventions(TABLE, EnumSet.of(EnrichConfig.AliasSet.OPENOBSERVE, EnrichConfig.AliasSet.OPENINFERENCE),
                LlmCall.Listener.NONE);
        Span byDefault = only(defaults.process(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)), "t"));
        assertTrue(attr(byDefault, "input.value").isEmpty() && attr(byDefault, "output.value").isEmpty()
                && attr(byDefault, "input.mime_type").isEmpty(), "no copy of the content without openinference-content");
        assertEquals("LLM", attr(byDefault, "openinference.span.kind").get().getStringValue());
        assertEquals(1200, attr(byDefault, "llm.token_count.prompt").get().getIntValue());
    }

    @Test
    void senderCostFarFromTheTableIsFlaggedAsDrift() {
        ExportTraceServiceRequest.Builder request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)).toBuilder();
        Span.Builder span = request.getResourceSpansBuilder(0).getScopeSpansBuilder(0).getSpansBuilder(0);
        for (int i = 0; i < span.getAttributesCount(); i++) {
            if (span.getAttributes(i).getKey().equals("gen_ai.usage.total_cost")) {
                span.setAttributes(i, Attributes.decimal("gen_ai.usage.total_cost", 0.01));
            }
        }
        Span after = only(processor.process(request.build(), "t"));
        assertEquals((0.00885 - 0.01) / 0.01, cost(after, "llmtrace.cost.drift"), 1e-9);
        assertEquals("mismatch", attr(after, "llmtrace.cost.unit_price_check").get().getStringValue());
        assertTrue(calls.get(0).costDrift());
    }

    @Test
    void nonLlmSpansAreUntouched() {
        ExportTraceServiceRequest request = request(Span.newBuilder().setName("GET /health")
                .setTraceId(ByteString.copyFrom(new byte[16])).addAttributes(Attributes.string("http.method", "GET")).build());
        assertTrue(request == processor.process(request, "t"), "same instance: nothing to add");
    }

    enum Convention { OPENROUTER, OTEL, OPENINFERENCE }

    static Span span(String model, Convention convention, long input, long output) {
        Span.Builder span = Span.newBuilder().setName("llm").setStartTimeUnixNano(1).setEndTimeUnixNano(2);
        switch (convention) {
            case OPENROUTER -> span.addAttributes(Attributes.string("gen_ai.request.model", model))
                    .addAttributes(Attributes.string("trace.metadata.openrouter.provider_slug", "x"))
                    .addAttributes(Attributes.integer("gen_ai.usage.input_tokens", input))
                    .addAttributes(Attributes.integer("gen_ai.usage.output_tokens", output))
                    .addAttributes(Attributes.integer("gen_ai.usage.input_tokens.cached", 0));
            case OTEL -> span.addAttributes(Attributes.string("gen_ai.operation.name", "chat"))
                    .addAttributes(Attributes.string("gen_ai.response.model", model))
                    .addAttributes(Attributes.integer("gen_ai.usage.input_tokens", input))
                    .addAttributes(Attributes.integer("gen_ai.usage.output_tokens", output));
            case OPENINFERENCE -> span.addAttributes(Attributes.string("openinference.span.kind", "LLM"))
                    .addAttributes(Attributes.string("llm.model_name", model))
                    .addAttributes(Attributes.integer("llm.token_count.prompt", input))
                    .addAttributes(Attributes.integer("llm.token_count.completion", output));
        }
        return span.build();
    }

    static ExportTraceServiceRequest request(Span span) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    }

    /** Every chat entry of the shipped table, named in each of the three conventions, gets that entry's cost. */
    @Test
    void tableDrivenOverTheShippedTable() throws Exception {
        JsonNode table;
        try (InputStream in = getClass().getResourceAsStream("/pricing/litellm-prices.json")) {
            table = new ObjectMapper().readTree(in);
        }
        TraceProcessor quiet = costAndConventions(TABLE, EnumSet.noneOf(EnrichConfig.AliasSet.class), LlmCall.Listener.NONE);
        int checked = 0;
        int matched = 0;
        List<String> misses = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode e = entry.getValue();
            if (!"chat".equals(e.path("mode").asText()) || !e.has("input_cost_per_token") || !e.has("output_cost_per_token")) {
                continue;
            }
            double expected = 1000 * e.get("input_cost_per_token").asDouble() + 500 * e.get("output_cost_per_token").asDouble();
            for (Convention convention : Convention.values()) {
                checked++;
                Span after = only(quiet.process(request(span(entry.getKey(), convention, 1000, 500)), "t"));
                Optional<AnyValue> total = attr(after, "gen_ai.usage.total_cost");
                if (total.isPresent() && Math.abs(total.get().getDoubleValue() - expected) <= 1e-12 + 1e-9 * expected) {
                    matched++;
                } else if (misses.size() < 20) {
                    misses.add(entry.getKey() + " (" + convention + ")");
                }
            }
        }
        double rate = (double) matched / checked;
        System.out.printf("pricing table-driven test: %d of %d (%.2f %%) model x convention cases priced exactly; first misses: %s%n",
                matched, checked, 100 * rate, misses);
        assertTrue(checked > 5000, "covers the table: " + checked);
        assertTrue(rate >= 0.95, "at least 95 % priced: " + rate + " misses " + misses);
    }

    @Test
    void cacheTierAndReasoningThroughTheConventions() {
        PricingTable table = PricingTable.of(Map.of("test/reasoner",
                new ModelPrice(2e-6, 8e-6, 5e-7, 2.5e-6, 1.6e-5, 4e-6, 1.2e-5, 1e-6, 5e-6, "test")));
        TraceProcessor p = costAndConventions(table, EnumSet.allOf(EnrichConfig.AliasSet.class), LlmCall.Listener.NONE);
        Span broadcast = span("test/reasoner", Convention.OPENROUTER, 1000, 500).toBuilder()
                .addAttributes(Attributes.integer("gen_ai.usage.input_tokens.cache_write", 100))
                .addAttributes(Attributes.integer("gen_ai.usage.output_tokens.reasoning", 200)).build();
        broadcast = broadcast.toBuilder().setAttributes(4, Attributes.integer("gen_ai.usage.input_tokens.cached", 400)).build();
        Span otel = span("test/reasoner", Convention.OTEL, 1000, 500).toBuilder()
                .addAttributes(Attributes.integer("gen_ai.usage.cache_read.input_tokens", 400))
                .addAttributes(Attributes.integer("gen_ai.usage.cache_creation.input_tokens", 100))
                .addAttributes(Attributes.integer("gen_ai.usage.reasoning.output_tokens", 200)).build();
        Span oi = span("test/reasoner", Convention.OPENINFERENCE, 1000, 500).toBuilder()
                .addAttributes(Attributes.integer("llm.token_count.prompt_details.cache_read", 400))
                .addAttributes(Attributes.integer("llm.token_count.prompt_details.cache_write", 100))
                .addAttributes(Attributes.integer("llm.token_count.completion_details.reasoning", 200)).build();
        double expected = 500 * 2e-6 + 400 * 5e-7 + 100 * 2.5e-6 + 300 * 8e-6 + 200 * 1.6e-5;
        for (Span s : List.of(broadcast, otel, oi)) {
            assertEquals(expected, cost(only(p.process(request(s), "t")), "gen_ai.usage.total_cost"), 1e-15, s.toString());
        }
        Span tier = span("test/reasoner", Convention.OTEL, 250_000, 1000);
        assertEquals(250_000 * 4e-6 + 1000 * 1.2e-5, cost(only(p.process(request(tier), "t")), "gen_ai.usage.total_cost"), 1e-12);
    }
}
