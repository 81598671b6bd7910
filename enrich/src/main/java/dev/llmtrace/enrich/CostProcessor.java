package dev.llmtrace.enrich;

import static dev.llmtrace.core.otlp.Attributes.decimal;
import static dev.llmtrace.core.otlp.Attributes.integer;
import static dev.llmtrace.core.otlp.Attributes.string;

import dev.llmtrace.core.TraceProcessor;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.enrich.pricing.Cost;
import dev.llmtrace.enrich.pricing.PricingTable;
import dev.llmtrace.enrich.pricing.TokenUsage;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Adds cost and bridges attribute conventions on LLM spans; a pure function of the request, the
 * pricing table and the settings. It never removes or renames an attribute (users' TraceQL depends on
 * them); it only adds names that are missing.
 *
 * <ul>
 *   <li>A span without cost gets {@code gen_ai.usage.input_cost|output_cost|total_cost} from the table
 *       ({@code llmtrace.cost.source=table}).
 *   <li>A span with cost (Broadcast) keeps it as the truth ({@code llmtrace.cost.source=sender}) and gets
 *       our estimate ({@code llmtrace.cost.estimate_usd}), the relative drift ({@code llmtrace.cost.drift})
 *       and a check of its own tokens x unit prices ({@code llmtrace.cost.unit_price_check}).
 *   <li>An unknown model gets no cost, only {@code llmtrace.cost.unknown_model=true}: never a guess.
 *   <li>Canonical OTel GenAI names where missing, plus the configured alias sets (OpenObserve's GenAI
 *       views, OpenInference for Phoenix).
 * </ul>
 */
public final class CostProcessor implements TraceProcessor {
    private final Supplier<PricingTable> table;
    private final Set<EnrichConfig.AliasSet> aliases;
    private final double driftThreshold;
    private final LlmCall.Listener listener;

    public CostProcessor(Supplier<PricingTable> table, Set<EnrichConfig.AliasSet> aliases, double driftThreshold,
            LlmCall.Listener listener) {
        this.table = table;
        this.aliases = aliases.isEmpty() ? EnumSet.noneOf(EnrichConfig.AliasSet.class) : EnumSet.copyOf(aliases);
        this.driftThreshold = driftThreshold;
        this.listener = listener;
    }

    @Override
    public ExportTraceServiceRequest process(ExportTraceServiceRequest request, String tenant) {
        PricingTable prices = table.get();
        ExportTraceServiceRequest.Builder out = null;
        for (int r = 0; r < request.getResourceSpansCount(); r++) {
            ResourceSpans rs = request.getResourceSpans(r);
            for (int s = 0; s < rs.getScopeSpansCount(); s++) {
                ScopeSpans ss = rs.getScopeSpans(s);
                for (int i = 0; i < ss.getSpansCount(); i++) {
                    Span span = ss.getSpans(i);
                    List<KeyValue> added = enrich(span, prices, tenant);
                    if (added.isEmpty()) {
                        continue;
                    }
                    if (out == null) {
                        out = request.toBuilder();
                    }
                    out.getResourceSpansBuilder(r).getScopeSpansBuilder(s).getSpansBuilder(i).addAllAttributes(added);
                }
            }
        }
        return out == null ? request : out.build();
    }

    /** The attributes to add to {@code span}; empty for spans that are not LLM calls. */
    List<KeyValue> enrich(Span span, PricingTable prices, String tenant) {
        GenAiAttributes a = GenAiAttributes.read(span.getAttributesList());
        if (!a.isLlmCall()) {
            return List.of();
        }
        List<KeyValue> add = new ArrayList<>(12);
        TokenUsage tokens = new TokenUsage(Math.max(0, a.input), Math.max(0, a.output), a.cacheRead, a.cacheWrite, a.reasoning);
        Optional<PricingTable.Match> match = prices.lookup(a.model());
        if (match.isEmpty() && a.requestModel != null && !a.requestModel.equals(a.model())) {
            match = prices.lookup(a.requestModel);
        }
        Cost estimate = match.map(m -> Cost.of(tokens, m.price())).orElse(null);
        double inputCost = Double.NaN;
        double outputCost = Double.NaN;
        double totalCost = Double.NaN;
        boolean drifted = false;
        if (a.hasSenderCost()) {
            totalCost = a.senderTotal();
            inputCost = a.inputCost;
            outputCost = a.outputCost;
            add.add(string("llmtrace.cost.source", "sender"));
            if (estimate != null && a.hasTokens()) {
                double drift = totalCost == 0 ? (estimate.total() == 0 ? 0 : 1) : (estimate.total() - totalCost) / totalCost;
                add.add(decimal("llmtrace.cost.estimate_usd", estimate.total()));
                add.add(decimal("llmtrace.cost.drift", drift));
                drifted = Math.abs(drift) > driftThreshold;
            }
            if (!Double.isNaN(a.inputUnitPrice) && !Double.isNaN(a.outputUnitPrice) && a.hasTokens()) {
                double fromUnits = tokens.input() * a.inputUnitPrice + tokens.output() * a.outputUnitPrice;
                boolean ok = Math.abs(fromUnits - totalCost) <= 1e-12 + driftThreshold * Math.abs(totalCost);
                add.add(string("llmtrace.cost.unit_price_check", ok ? "ok" : "mismatch"));
            }
        } else if (estimate != null && a.hasTokens()) {
            inputCost = estimate.input();
            outputCost = estimate.output();
            totalCost = estimate.total();
            addIfMissing(add, a, decimal("gen_ai.usage.input_cost", inputCost));
            addIfMissing(add, a, decimal("gen_ai.usage.output_cost", outputCost));
            addIfMissing(add, a, decimal("gen_ai.usage.total_cost", totalCost));
            add.add(string("llmtrace.cost.source", match.get().estimate() ? "estimate"
                    : "openrouter-live".equals(match.get().price().provider()) ? "openrouter" : "table"));
        }
        match.ifPresent(m -> add.add(string("llmtrace.cost.model", m.key())));
        boolean unknown = match.isEmpty();
        if (unknown) {
            add.add(Attributes.bool("llmtrace.cost.unknown_model", true));
        }
        canonical(add, a, tokens);
        if (aliases.contains(EnrichConfig.AliasSet.OPENOBSERVE)) {
            if (!Double.isNaN(totalCost)) {
                addIfMissing(add, a, decimal("gen_ai.usage.cost", totalCost));
            }
            if (a.sessionId != null) {
                addIfMissing(add, a, string("gen_ai.conversation.id", a.sessionId));
            }
            if (a.responseModel != null) { // only what the span says: a span without a response has no response model
                addIfMissing(add, a, string("gen_ai.response.model", a.responseModel));
            }
        }
        if (aliases.contains(EnrichConfig.AliasSet.OPENINFERENCE)) {
            addIfMissing(add, a, string("openinference.span.kind", "LLM"));
            addIfMissing(add, a, string("llm.model_name", a.model()));
            // what Phoenix shows as input and output: content names, so every privacy policy treats them as
            // it treats the prompt and completion they come from, at enrich and at each destination
            if (a.prompt != null) {
                addIfMissing(add, a, string("input.value", a.prompt));
                addIfMissing(add, a, string("input.mime_type", mimeType(a.prompt)));
            }
            if (a.completion != null) {
                addIfMissing(add, a, string("output.value", a.completion));
                addIfMissing(add, a, string("output.mime_type", mimeType(a.completion)));
            }
            String provider = openInferenceProvider(a.provider);
            if (provider != null) { // in OpenInference's own vocabulary, never copied raw
                addIfMissing(add, a, string("llm.provider", provider));
            }
            if (a.hasTokens()) {
                addIfMissing(add, a, integer("llm.token_count.prompt", tokens.input()));
                addIfMissing(add, a, integer("llm.token_count.completion", tokens.output()));
                addIfMissing(add, a, integer("llm.token_count.total", a.total >= 0 ? a.total : tokens.input() + tokens.output()));
            }
            if (tokens.cacheRead() > 0) {
                addIfMissing(add, a, integer("llm.token_count.prompt_details.cache_read", tokens.cacheRead()));
            }
            if (tokens.cacheWrite() > 0) {
                addIfMissing(add, a, integer("llm.token_count.prompt_details.cache_write", tokens.cacheWrite()));
            }
            if (tokens.reasoning() > 0) {
                addIfMissing(add, a, integer("llm.token_count.completion_details.reasoning", tokens.reasoning()));
            }
            if (!Double.isNaN(totalCost)) {
                if (!Double.isNaN(inputCost)) {
                    addIfMissing(add, a, decimal("llm.cost.prompt", inputCost));
                }
                if (!Double.isNaN(outputCost)) {
                    addIfMissing(add, a, decimal("llm.cost.completion", outputCost));
                }
                addIfMissing(add, a, decimal("llm.cost.total", totalCost));
            }
        }
        listener.onLlmCall(new LlmCall(a.model(), a.provider, a.apiKeyName, tenant,
                status(span.getStatus()), tokens, totalCost, span.getEndTimeUnixNano() - span.getStartTimeUnixNano(), unknown, drifted));
        return add;
    }

    /** OTel GenAI names where only another convention's are present. */
    private static void canonical(List<KeyValue> add, GenAiAttributes a, TokenUsage tokens) {
        addIfMissing(add, a, string("gen_ai.request.model", a.requestModel != null ? a.requestModel : a.model()));
        if (a.provider != null) {
            addIfMissing(add, a, string("gen_ai.provider.name", a.provider));
        }
        if (a.hasTokens()) {
            addIfMissing(add, a, integer("gen_ai.usage.input_tokens", tokens.input()));
            addIfMissing(add, a, integer("gen_ai.usage.output_tokens", tokens.output()));
        }
    }

    private static void addIfMissing(List<KeyValue> add, GenAiAttributes a, KeyValue kv) {
        if (!a.present.contains(kv.getKey())) {
            a.present.add(kv.getKey());
            add.add(kv);
        }
    }

    private static String status(Status status) {
        return switch (status.getCode()) {
            case STATUS_CODE_ERROR -> "error";
            case STATUS_CODE_OK -> "ok";
            default -> "unset";
        };
    }

    /**
     * A provider name of any convention (OTel's {@code aws.bedrock}, {@code gcp.vertex_ai},
     * {@code azure.ai.openai}, OpenRouter's organisations) as OpenInference names it, or null when it has
     * no such name: an unknown value is left out rather than passed on to override a backend's own mapping.
     */
    static String openInferenceProvider(String provider) {
        if (provider == null) {
            return null;
        }
        String p = provider.toLowerCase(java.util.Locale.ROOT);
        if (p.startsWith("aws") || p.equals("amazon") || p.equals("bedrock")) {
            return "aws";
        }
        if (p.startsWith("gcp") || p.startsWith("google") || p.equals("vertex_ai") || p.equals("gemini")) {
            return "google";
        }
        if (p.startsWith("azure")) {
            return "azure";
        }
        return switch (p) {
            case "openai" -> "openai";
            case "anthropic" -> "anthropic";
            case "mistral_ai", "mistralai", "mistral" -> "mistralai";
            case "cohere" -> "cohere";
            case "x_ai", "xai", "x-ai" -> "xai";
            case "deepseek" -> "deepseek";
            default -> null;
        };
    }

    private static String mimeType(String content) {
        String t = content.stripLeading();
        return t.startsWith("{") || t.startsWith("[") ? "application/json" : "text/plain";
    }
}
