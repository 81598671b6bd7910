package dev.llmtrace.core.privacy;

/** What a destination may see of prompt and completion content. Secrets are masked under every policy. */
public enum PrivacyPolicy {
    /** Content kept (secrets still masked). */
    FULL,
    /** Personal data and secrets masked inside content; ids in hash-attributes replaced by a keyed hash. */
    MASK,
    /** Content removed, like OpenRouter's Privacy Mode: tokens, cost, timing, model and metadata stay. */
    DROP
}
