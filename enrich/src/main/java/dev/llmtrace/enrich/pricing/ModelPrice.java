package dev.llmtrace.enrich.pricing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * One model's prices in USD per token, in LiteLLM's field names. Missing cache and reasoning prices
 * fall back to the input and output prices; missing tier prices mean no tier.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection // Jackson builds it reflectively; native images need it registered
public record ModelPrice(
        @JsonProperty("input_cost_per_token") @NotNull @PositiveOrZero @DecimalMax("1.0") Double input,
        @JsonProperty("output_cost_per_token") @NotNull @PositiveOrZero @DecimalMax("1.0") Double output,
        @JsonProperty("cache_read_input_token_cost") @PositiveOrZero @DecimalMax("1.0") Double cacheRead,
        @JsonProperty("cache_creation_input_token_cost") @PositiveOrZero @DecimalMax("1.0") Double cacheWrite,
        @JsonProperty("output_cost_per_reasoning_token") @PositiveOrZero @DecimalMax("1.0") Double reasoning,
        @JsonProperty("input_cost_per_token_above_200k_tokens") @PositiveOrZero @DecimalMax("1.0") Double inputAbove200k,
        @JsonProperty("output_cost_per_token_above_200k_tokens") @PositiveOrZero @DecimalMax("1.0") Double outputAbove200k,
        @JsonProperty("cache_read_input_token_cost_above_200k_tokens") @PositiveOrZero @DecimalMax("1.0") Double cacheReadAbove200k,
        @JsonProperty("cache_creation_input_token_cost_above_200k_tokens") @PositiveOrZero @DecimalMax("1.0") Double cacheWriteAbove200k,
        @JsonProperty("litellm_provider") String provider) {

    /** Free variants (OpenRouter's {@code :free}). */
    public static final ModelPrice FREE = new ModelPrice(0.0, 0.0, null, null, null, null, null, null, null, null);

    /** LiteLLM's tier threshold: prompts above this many input tokens use the {@code *_above_200k} prices. */
    public static final long TIER_THRESHOLD = 200_000;
}
