package dev.llmtrace.enrich;

import dev.llmtrace.core.conventions.ContentNames;
import dev.llmtrace.enrich.pricing.TokenUsage;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Bridges attribute conventions on LLM spans, after cost (whose attributes it reads like the sender's): canonical
 * OTel GenAI names where only another convention's are present, and the configured alias sets (OpenObserve's GenAI
 * views, OpenInference's names and, when asked, its copies of the content). Like every enrich step it only adds names
 * that are missing, never renames or removes one (users' TraceQL depends on them).
 */
public final class ConventionsProcessor implements SpanStep {
    private final Set<EnrichConfig.AliasSet> aliases;

    public ConventionsProcessor(Set<EnrichConfig.AliasSet> aliases) {
        this.aliases = aliases.isEmpty() ? EnumSet.noneOf(EnrichConfig.AliasSet.class) : EnumSet.copyOf(aliases);
    }

    @Override
    public void addTo(Span span, GenAiAttributes a, List<KeyValue> add, String tenant) {
        TokenUsage tokens = new TokenUsage(Math.max(0, a.input), Math.max(0, a.output), a.cacheRead, a.cacheWrite, a.reasoning);
        double totalCost = a.hasSenderCost() ? a.senderTotal() : Double.NaN; // the sender's, or what the cost step added
        double inputCost = a.inputCost; // read before this step's own additions can change them
        double outputCost = a.outputCost;
        canonical(add, a, tokens);
        if (aliases.contains(EnrichConfig.AliasSet.OPENOBSERVE)) {
            if (!Double.isNaN(totalCost)) {
                a.addIfMissing(add, "gen_ai.usage.cost", totalCost);
            }
            if (a.sessionId != null) {
                a.addIfMissing(add, "gen_ai.conversation.id", a.sessionId);
            }
            if (a.responseModel != null) { // only what the span says: a span without a response has no response model
                a.addIfMissing(add, "gen_ai.response.model", a.responseModel);
            }
        }
        if (aliases.contains(EnrichConfig.AliasSet.OPENINFERENCE_CONTENT)) {
            // what OpenInference backends show as input and output: content names, so every privacy policy treats
            // them as it treats the prompt and completion they come from, at enrich and at each destination
            if (a.prompt != null) {
                a.addIfMissing(add, ContentNames.INPUT_VALUE, a.prompt);
                a.addIfMissing(add, ContentNames.INPUT_MIME_TYPE, ContentNames.mimeType(a.prompt));
            }
            if (a.completion != null) {
                a.addIfMissing(add, ContentNames.OUTPUT_VALUE, a.completion);
                a.addIfMissing(add, ContentNames.OUTPUT_MIME_TYPE, ContentNames.mimeType(a.completion));
            }
        }
        if (aliases.contains(EnrichConfig.AliasSet.OPENINFERENCE)) {
            a.addIfMissing(add, "openinference.span.kind", "LLM");
            a.addIfMissing(add, "llm.model_name", a.model());
            String provider = openInferenceProvider(a.provider);
            if (provider != null) { // in OpenInference's own vocabulary, never copied raw
                a.addIfMissing(add, "llm.provider", provider);
            }
            if (a.hasTokens()) {
                a.addIfMissing(add, "llm.token_count.prompt", tokens.input());
                a.addIfMissing(add, "llm.token_count.completion", tokens.output());
                a.addIfMissing(add, "llm.token_count.total", a.total >= 0 ? a.total : tokens.input() + tokens.output());
            }
            if (tokens.cacheRead() > 0) {
                a.addIfMissing(add, "llm.token_count.prompt_details.cache_read", tokens.cacheRead());
            }
            if (tokens.cacheWrite() > 0) {
                a.addIfMissing(add, "llm.token_count.prompt_details.cache_write", tokens.cacheWrite());
            }
            if (tokens.reasoning() > 0) {
                a.addIfMissing(add, "llm.token_count.completion_details.reasoning", tokens.reasoning());
            }
            if (!Double.isNaN(totalCost)) {
                if (!Double.isNaN(inputCost)) {
                    a.addIfMissing(add, "llm.cost.prompt", inputCost);
                }
                if (!Double.isNaN(outputCost)) {
                    a.addIfMissing(add, "llm.cost.completion", outputCost);
                }
                a.addIfMissing(add, "llm.cost.total", totalCost);
            }
        }
    }

    /** OTel GenAI names where only another convention's are present. */
    private static void canonical(List<KeyValue> add, GenAiAttributes a, TokenUsage tokens) {
        a.addIfMissing(add, "gen_ai.request.model", a.requestModel != null ? a.requestModel : a.model());
        if (a.provider != null) {
            a.addIfMissing(add, "gen_ai.provider.name", a.provider);
        }
        if (a.hasTokens()) {
            a.addIfMissing(add, "gen_ai.usage.input_tokens", tokens.input());
            a.addIfMissing(add, "gen_ai.usage.output_tokens", tokens.output());
        }
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
}
