package dev.llmtrace.enrich.pricing;

/**
 * Token counts of one LLM call. {@code input} includes cached and cache-written tokens and
 * {@code output} includes reasoning tokens, as OpenAI, OpenRouter and OpenInference count them.
 */
public record TokenUsage(long input, long output, long cacheRead, long cacheWrite, long reasoning) {}
