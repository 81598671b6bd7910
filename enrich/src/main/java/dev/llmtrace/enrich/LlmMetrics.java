package dev.llmtrace.enrich;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LLM metrics for Prometheus: requests, tokens by type, cost in USD and duration, labelled by model,
 * provider, OpenRouter API key name and tenant, so cost per model per key needs no recording rule.
 * Each label keeps at most {@code maxLabelValues} distinct values; later ones are counted as "other".
 */
public final class LlmMetrics implements LlmCall.Listener {
    static final String OTHER = "other";
    private static final String[] TOKEN_TYPES = {"input", "output", "cache_read", "cache_write", "reasoning"};

    private final MeterRegistry registry;
    private final int maxLabelValues;
    private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();
    private final Map<List<String>, Meters> meters = new ConcurrentHashMap<>();

    /** The meters of one label set, looked up once. */
    private record Meters(Counter ok, Counter error, Counter unset, Counter[] tokens, Counter cost, Timer duration,
            Counter unknownModel, Counter drift) {}

    public LlmMetrics(MeterRegistry registry, int maxLabelValues) {
        this.registry = registry;
        this.maxLabelValues = maxLabelValues;
    }

    @Override
    public void onLlmCall(LlmCall call) {
        String model = capped("model", call.model());
        String provider = capped("provider", call.provider());
        String apiKey = capped("api_key", call.apiKey());
        String tenant = capped("tenant", call.tenant());
        Meters m = meters.computeIfAbsent(List.of(model, provider, apiKey, tenant), k -> create(model, provider, apiKey, tenant));
        (switch (call.status()) {
            case "error" -> m.error;
            case "ok" -> m.ok;
            default -> m.unset;
        }).increment();
        long[] tokens = {call.tokens().input(), call.tokens().output(), call.tokens().cacheRead(), call.tokens().cacheWrite(),
                call.tokens().reasoning()};
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] > 0) {
                m.tokens[i].increment(tokens[i]);
            }
        }
        if (Double.isFinite(call.costUsd()) && call.costUsd() >= 0) {
            // a sender's "Infinity" would leave the series at +Inf for good; the span keeps what was sent
            m.cost.increment(call.costUsd());
        }
        if (call.durationNanos() > 0) {
            m.duration.record(Duration.ofNanos(call.durationNanos()));
        }
        if (call.unknownModel()) {
            m.unknownModel.increment();
        }
        if (call.costDrift()) {
            m.drift.increment();
        }
    }

    private Meters create(String model, String provider, String apiKey, String tenant) {
        String[] tags = {"model", model, "provider", provider, "api_key", apiKey, "tenant", tenant};
        Counter[] tokens = new Counter[TOKEN_TYPES.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = Counter.builder("llmtrace.llm.tokens").description("Tokens of LLM calls, by type")
                    .tags(tags).tag("type", TOKEN_TYPES[i]).register(registry);
        }
        return new Meters(requests(tags, "ok"), requests(tags, "error"), requests(tags, "unset"), tokens,
                Counter.builder("llmtrace.llm.cost.usd").description("Cost of LLM calls in USD (the sender's, else our table's)")
                        .tags(tags).register(registry),
                Timer.builder("llmtrace.llm.duration").description("Duration of LLM calls").tags(tags)
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(50))
                        .maximumExpectedValue(Duration.ofMinutes(5)).register(registry),
                Counter.builder("llmtrace.pricing.unknown.model").description("LLM calls whose model is not in the pricing table")
                        .tags("model", model).register(registry),
                Counter.builder("llmtrace.cost.drift").description("Calls whose sender cost differs from our table by more than the threshold")
                        .tags("model", model).register(registry));
    }

    private Counter requests(String[] tags, String status) {
        return Counter.builder("llmtrace.llm.requests").description("LLM calls").tags(tags).tag("status", status).register(registry);
    }

    private String capped(String label, String value) {
        if (value == null || value.isEmpty()) {
            return "unknown";
        }
        Set<String> values = seen.computeIfAbsent(label, k -> ConcurrentHashMap.newKeySet());
        if (values.contains(value)) {
            return value;
        }
        synchronized (values) {
            if (values.size() < maxLabelValues) {
                values.add(value);
                return value;
            }
        }
        return values.contains(value) ? value : OTHER;
    }
}
