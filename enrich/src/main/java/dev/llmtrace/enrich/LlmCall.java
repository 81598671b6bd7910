package dev.llmtrace.enrich;

import dev.llmtrace.enrich.pricing.TokenUsage;

/** One LLM call as enrich understood it, for metrics. {@code costUsd} is NaN when unknown. */
record LlmCall(String model, String provider, String apiKey, String tenant, String status, TokenUsage tokens,
        double costUsd, long durationNanos, boolean unknownModel, boolean costDrift) {

    /** Told about every LLM span the cost step sees; keeps the step itself free of side effects. */
    interface Listener {
        Listener NONE = call -> {};

        void onLlmCall(LlmCall call);
    }
}
