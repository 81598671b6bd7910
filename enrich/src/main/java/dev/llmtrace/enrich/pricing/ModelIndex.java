package dev.llmtrace.enrich.pricing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The table's keys by the model they name, whatever the provider's spelling: OpenRouter's
 * {@code x-ai/grok-code-fast-1} is LiteLLM's {@code xai/grok-code-fast-1}, {@code anthropic/claude-3.5-haiku}
 * is {@code claude-3-5-haiku-20241022}. A name is reduced to its model part in canonical form (lower case,
 * dots and underscores as hyphens, without a date, {@code -latest}, a quantisation or a Bedrock version
 * suffix, {@code Meta-Llama} as {@code Llama}) and looked up whole: two names meet only when they name the same model, never by prefix, so no
 * price crosses model families.
 */
final class ModelIndex {
    /** OpenRouter's organisations and the LiteLLM providers that sell their models first-hand. */
    static final Map<String, Set<String>> FIRST_PARTY = Map.ofEntries(
            Map.entry("openai", Set.of("", "openai")),
            Map.entry("anthropic", Set.of("", "anthropic")),
            Map.entry("google", Set.of("gemini", "vertex_ai")),
            Map.entry("x-ai", Set.of("xai")),
            Map.entry("moonshotai", Set.of("moonshot")),
            Map.entry("z-ai", Set.of("zai")),
            Map.entry("mistralai", Set.of("", "mistral")),
            Map.entry("deepseek", Set.of("deepseek")),
            Map.entry("qwen", Set.of("dashscope")),
            Map.entry("cohere", Set.of("", "cohere")),
            Map.entry("amazon", Set.of("amazon-nova", "bedrock")),
            Map.entry("perplexity", Set.of("perplexity")),
            Map.entry("minimax", Set.of("minimax")),
            Map.entry("ai21", Set.of("", "ai21")));
    /** Third-party hosts whose price stands as an estimate, most representative first. */
    static final List<String> HOSTS = List.of("deepinfra", "together_ai", "fireworks_ai", "groq", "novita", "nebius", "cerebras",
            "sambanova", "vercel_ai_gateway", "bedrock", "vertex_ai", "azure_ai", "azure", "openrouter");

    private static final Pattern DATE = Pattern.compile("[-@](\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4})$");
    private static final Pattern SUFFIX = Pattern.compile("(-latest|-fp8(-dynamic|-fast)?|-v\\d+:\\d+|:\\d+)$");

    /** A key with the provider it came from ("" for LiteLLM's bare first-party names). */
    private record Entry(String provider, String key) {}

    private final Map<String, List<Entry>> byModel = new HashMap<>();

    ModelIndex(Set<String> keys) {
        for (String key : keys) {
            int slash = key.indexOf('/');
            String provider = slash < 0 ? "" : key.substring(0, slash);
            byModel.computeIfAbsent(canonical(key), k -> new ArrayList<>()).add(new Entry(provider, key));
        }
        // a stable choice among equals: undated before dated, then the newest date, then the name
        byModel.values().forEach(list -> list.sort(Comparator.comparing((Entry e) -> DATE.matcher(model(e.key)).find())
                .thenComparing(Entry::key, Comparator.reverseOrder())));
    }

    /** The model part of a name in canonical form. */
    static String canonical(String name) {
        String m = model(name.toLowerCase(Locale.ROOT));
        int vendorDot = m.indexOf('.');
        if (vendorDot > 0 && !Character.isDigit(m.charAt(vendorDot - 1)) && m.matches("^[a-z]+\\..*")) {
            m = m.substring(vendorDot + 1); // Bedrock's anthropic.claude-…, xai.grok-…
        }
        String before;
        do {
            before = m;
            m = SUFFIX.matcher(m).replaceAll("");
            m = DATE.matcher(m).replaceAll("");
        } while (!m.equals(before));
        m = m.replace('.', '-').replace('_', '-');
        return m.startsWith("meta-llama-") ? m.substring("meta-".length()) : m; // hosts' Meta-Llama-3.1-… is Llama 3.1
    }

    private static String model(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    /** A first-party entry for {@code org}'s model, if the table has one. */
    Optional<String> firstParty(String org, String name) {
        Set<String> providers = FIRST_PARTY.get(org);
        if (providers == null) {
            return Optional.empty();
        }
        return byModel.getOrDefault(canonical(name), List.of()).stream()
                .filter(e -> providers.contains(e.provider)).map(Entry::key).findFirst();
    }

    /** A third-party host's entry for the same model, to stand as an estimate. */
    Optional<String> host(String name) {
        List<Entry> entries = byModel.getOrDefault(canonical(name), List.of());
        for (String host : HOSTS) {
            for (Entry e : entries) {
                if (e.provider.equals(host)) {
                    return Optional.of(e.key);
                }
            }
        }
        return Optional.empty();
    }
}
