package dev.llmtrace.enrich;

import static dev.llmtrace.enrich.EnrichConfig.Step.CONVENTIONS;
import static dev.llmtrace.enrich.EnrichConfig.Step.COST;
import static dev.llmtrace.enrich.EnrichConfig.Step.PRIVACY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** {@code enrich.processors}: the steps run in the order named, and an order that cannot be right is refused at start. */
class StepsTest {
    final List<EnrichConfig.Step> ran = new ArrayList<>();

    TraceProcessor recording(EnrichConfig.Step step) {
        return (request, tenant) -> {
            ran.add(step);
            return request;
        };
    }

    @Test
    void stepsRunInTheConfiguredOrder() {
        Steps.inOrder(List.of(COST, CONVENTIONS, PRIVACY), this::recording).process(ExportTraceServiceRequest.getDefaultInstance(), "t");
        assertEquals(List.of(COST, CONVENTIONS, PRIVACY), ran);
        ran.clear();
        Steps.inOrder(List.of(CONVENTIONS, PRIVACY), this::recording).process(ExportTraceServiceRequest.getDefaultInstance(), "t");
        assertEquals(List.of(CONVENTIONS, PRIVACY), ran, "cost can be left out");
    }

    @Test
    void impossibleOrdersAreRefusedWithTheSettingsName() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> Steps.inOrder(List.of(COST, COST, PRIVACY), this::recording));
        assertEquals("enrich.processors: cost appears twice in cost,cost,privacy", twice.getMessage());
        IllegalArgumentException noPrivacy = assertThrows(IllegalArgumentException.class,
                () -> Steps.inOrder(List.of(COST, CONVENTIONS), this::recording));
        assertTrue(noPrivacy.getMessage().startsWith("enrich.processors: privacy is required"), noPrivacy.getMessage());
        IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
                () -> Steps.inOrder(List.of(COST, PRIVACY, CONVENTIONS), this::recording));
        assertTrue(late.getMessage().contains("must run before privacy"), late.getMessage());
    }

    /** Without the conventions step, cost adds only its own names: no alias, no canonical GenAI name. */
    @Test
    void costAloneAddsNoConventionNames() {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        Set<String> before = names(request);
        ExportTraceServiceRequest costed = new CostProcessor(() -> CostProcessorTest.TABLE, 0.01, LlmCall.Listener.NONE).process(request, "t");
        Set<String> added = names(costed);
        added.removeAll(before);
        assertTrue(!added.isEmpty() && added.stream().allMatch(n -> n.startsWith("llmtrace.cost.") || n.startsWith("gen_ai.usage.")
                && n.endsWith("_cost")), added.toString());
        Set<String> bridged = names(new ConventionsProcessor(EnumSet.allOf(EnrichConfig.AliasSet.class)).process(costed, "t"));
        assertTrue(bridged.contains("gen_ai.request.model") && bridged.contains("llm.cost.total") && bridged.contains("gen_ai.usage.cost"),
                "conventions bridges what cost added: " + bridged);
    }

    private static Set<String> names(ExportTraceServiceRequest request) {
        return request.getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesList().stream().map(KeyValue::getKey)
                .collect(Collectors.toCollection(java.util.HashSet::new));
    }

    /** Run as one pass, cost and conventions add exactly what they add as two passes over the request. */
    @Test
    void fusedStepsAddWhatSeparatePassesAdd() {
        CostProcessor cost = new CostProcessor(() -> CostProcessorTest.TABLE, 0.01, LlmCall.Listener.NONE);
        ConventionsProcessor conventions = new ConventionsProcessor(EnumSet.allOf(EnrichConfig.AliasSet.class));
        TraceProcessor twoPasses = TraceProcessor.chain(cost, conventions); // each step its own pass
        TraceProcessor onePass = Steps.inOrder(List.of(COST, CONVENTIONS, PRIVACY), step -> switch (step) {
            case COST -> cost;
            case CONVENTIONS -> conventions;
            case PRIVACY -> (request, tenant) -> request;
        });
        for (String fixture : Fixtures.WITH_SPANS) {
            ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(fixture));
            assertEquals(twoPasses.process(request, "t"), onePass.process(request, "t"), fixture);
        }
    }
}
