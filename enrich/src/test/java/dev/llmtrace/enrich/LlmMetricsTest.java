package dev.llmtrace.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmtrace.enrich.pricing.TokenUsage;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class LlmMetricsTest {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LlmMetrics metrics = new LlmMetrics(registry, 10);

    @Test
    void costsThatAreNoAmountLeaveTheCostSeriesAsItWas() {
        for (double cost : new double[] {0.25, Double.POSITIVE_INFINITY, Double.NaN, -3, Double.NEGATIVE_INFINITY, 0.5}) {
            metrics.onLlmCall(call(cost));
        }
        assertEquals(0.75, registry.get("llmtrace.llm.cost.usd").counter().count());
        assertEquals(6, registry.get("llmtrace.llm.requests").tag("status", "ok").counter().count(), "every call counted");
        assertEquals(6 * 10, registry.get("llmtrace.llm.tokens").tag("type", "input").counter().count());
    }

    private static LlmCall call(double cost) {
        return new LlmCall("openai/gpt-4o", "openai", "key", "acme", "ok", new TokenUsage(10, 5, 0, 0, 0), cost, 1_000_000, false, false);
    }
}
