package dev.llmtrace.enrich;

import dev.llmtrace.core.conventions.ContentNames;
import dev.llmtrace.core.otlp.Attributes;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;

/**
 * What one span says about its LLM call, read in a single pass over its attributes whichever of the
 * three conventions (OpenRouter Broadcast, OTel GenAI, OpenInference) it uses.
 */
final class GenAiAttributes {
    String requestModel;
    String responseModel;
    String provider;
    String apiKeyName;
    String sessionId;
    /** The prompt and the completion as the span carries them (a JSON document or text), for OpenInference's input/output. */
    String prompt;
    String completion;
    long input = -1;
    long output = -1;
    long total = -1;
    long cacheRead;
    long cacheWrite;
    long reasoning;
    double inputCost = Double.NaN;
    double outputCost = Double.NaN;
    double totalCost = Double.NaN;
    double inputUnitPrice = Double.NaN;
    double outputUnitPrice = Double.NaN;
    /** Names present, to add aliases only where missing; this thread's, valid until it reads the next span. */
    final AttributeNames present = AttributeNames.emptiedForThisThread();

    static GenAiAttributes read(List<KeyValue> attributes) {
        GenAiAttributes a = new GenAiAttributes();
        for (KeyValue kv : attributes) {
            a.absorb(kv);
        }
        return a;
    }

    /** Takes one more attribute into account, as if the span had carried it after the others. */
    void absorb(KeyValue kv) {
        String key = kv.getKey();
        present.add(key);
        AnyValue v = kv.getValue();
        switch (key) {
            case "gen_ai.request.model", "llm.request.model_name", "llm.model_name" -> requestModel = firstString(requestModel, v);
            case "gen_ai.response.model", "llm.response.model_name" -> responseModel = firstString(responseModel, v);
            case "gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system" -> provider = firstString(provider, v);
            case "trace.metadata.openrouter.api_key_name" -> apiKeyName = string(v);
            case ContentNames.PROMPT, ContentNames.INPUT_MESSAGES -> prompt = firstString(prompt, v);
            case ContentNames.COMPLETION, ContentNames.OUTPUT_MESSAGES -> completion = firstString(completion, v);
            case "session.id", "gen_ai.conversation.id" -> sessionId = firstString(sessionId, v);
            case "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt" -> input = first(input, v);
            case "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion" -> output = first(output, v);
            case "gen_ai.usage.total_tokens", "llm.token_count.total" -> total = first(total, v);
            case "gen_ai.usage.input_tokens.cached", "gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens",
                    "llm.token_count.prompt_details.cache_read" -> cacheRead = Math.max(cacheRead, number(v));
            case "gen_ai.usage.input_tokens.cache_write", "gen_ai.usage.cache_creation.input_tokens",
                    "gen_ai.usage.cache_creation_input_tokens", "llm.token_count.prompt_details.cache_write" ->
                    cacheWrite = Math.max(cacheWrite, number(v));
            case "gen_ai.usage.output_tokens.reasoning", "gen_ai.usage.reasoning.output_tokens",
                    "llm.token_count.completion_details.reasoning" -> reasoning = Math.max(reasoning, number(v));
            case "gen_ai.usage.input_cost", "llm.cost.prompt" -> inputCost = firstDouble(inputCost, v);
            case "gen_ai.usage.output_cost", "llm.cost.completion" -> outputCost = firstDouble(outputCost, v);
            case "gen_ai.usage.total_cost", "gen_ai.usage.cost", "llm.cost.total" -> totalCost = firstDouble(totalCost, v);
            case "trace.metadata.openrouter.input_unit_price" -> inputUnitPrice = decimal(v);
            case "trace.metadata.openrouter.output_unit_price" -> outputUnitPrice = decimal(v);
            default -> { }
        }
    }

    // Each appends the attribute to {@code add} unless the span (or an earlier addition) has its name, and builds it
    // only then: on a Broadcast span a third of the aliases are present already.

    void addIfMissing(List<KeyValue> add, String key, String value) {
        if (present.add(key)) {
            add.add(Attributes.string(key, value));
        }
    }

    void addIfMissing(List<KeyValue> add, String key, long value) {
        if (present.add(key)) {
            add.add(Attributes.integer(key, value));
        }
    }

    void addIfMissing(List<KeyValue> add, String key, double value) {
        if (present.add(key)) {
            add.add(Attributes.decimal(key, value));
        }
    }

    /** The model that served the call, else the one asked for. */
    String model() {
        return responseModel != null ? responseModel : requestModel;
    }

    boolean isLlmCall() {
        return model() != null;
    }

    boolean hasTokens() {
        return input >= 0 || output >= 0;
    }

    boolean hasSenderCost() {
        return !Double.isNaN(totalCost) || !Double.isNaN(inputCost) || !Double.isNaN(outputCost);
    }

    double senderTotal() {
        if (!Double.isNaN(totalCost)) {
            return totalCost;
        }
        return (Double.isNaN(inputCost) ? 0 : inputCost) + (Double.isNaN(outputCost) ? 0 : outputCost);
    }

    private static String string(AnyValue v) {
        return v.getValueCase() == AnyValue.ValueCase.STRING_VALUE && !v.getStringValue().isEmpty() ? v.getStringValue() : null;
    }

    private static String firstString(String current, AnyValue v) {
        return current != null ? current : string(v);
    }

    /** Token counts arrive as ints, and sometimes as doubles or numeric strings. */
    private static long number(AnyValue v) {
        return switch (v.getValueCase()) {
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> (long) v.getDoubleValue();
            case STRING_VALUE -> {
                try {
                    yield Long.parseLong(v.getStringValue().trim());
                } catch (NumberFormatException e) {
                    yield -1;
                }
            }
            default -> -1;
        };
    }

    private static long first(long current, AnyValue v) {
        return current >= 0 ? current : number(v);
    }

    private static double decimal(AnyValue v) {
        return switch (v.getValueCase()) {
            case DOUBLE_VALUE -> v.getDoubleValue();
            case INT_VALUE -> v.getIntValue();
            case STRING_VALUE -> {
                try {
                    yield Double.parseDouble(v.getStringValue().trim());
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
            default -> Double.NaN;
        };
    }

    private static double firstDouble(double current, AnyValue v) {
        return !Double.isNaN(current) ? current : decimal(v);
    }
}
