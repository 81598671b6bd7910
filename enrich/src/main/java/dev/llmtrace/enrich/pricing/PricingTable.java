package dev.llmtrace.enrich.pricing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An immutable pricing table and the model-name matching over it. Names are matched
 * case-insensitively; {@code openai/gpt-4o}, {@code gpt-4o} and {@code openrouter/openai/gpt-4o} find the
 * same model; {@code :free} is free; OpenRouter's other variants ({@code :nitro}, {@code :floor},
 * {@code :online}, {@code :extended}) are their base model; a dated id is its exact entry if there is
 * one, else its base model. Failing those, the same model under its provider's own spelling
 * ({@link ModelIndex}: {@code x-ai} is {@code xai}, {@code claude-3.5-haiku} is {@code claude-3-5-haiku-…}),
 * and failing that a third-party host's price for it, marked as an estimate. A name that matches no model
 * has no price: never a guess from another model. Each distinct name is resolved once and cached, so the
 * hot path is one map lookup.
 */
public final class PricingTable {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Set<String> VARIANTS = Set.of("nitro", "floor", "online", "extended", "beta", "thinking");
    /** -2024-08-06, -20250514, @20240620, -0613 style suffixes. */
    private static final Pattern DATED = Pattern.compile("^(.+?)(?:[-@](?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}))$");
    private static final int CACHE_LIMIT = 10_000;

    /**
     * A resolved price and the table key it came from; {@code estimate} when that key is a third-party
     * host's price for the same model, because the table has no first-hand one.
     */
    public record Match(String key, ModelPrice price, boolean estimate) {
        public Match(String key, ModelPrice price) {
            this(key, price, false);
        }
    }

    private final Map<String, ModelPrice> byKey;
    private final Map<String, String> latestDatedByBase;
    private final Map<String, Optional<Match>> cache = new ConcurrentHashMap<>();
    /** Built when a lookup first needs it: tables made only to be merged into another never do. */
    private volatile ModelIndex index;

    private PricingTable(Map<String, ModelPrice> byKey) {
        this.byKey = byKey;
        Map<String, String> latest = new HashMap<>();
        for (String key : new TreeMap<>(byKey).keySet()) { // sorted: the newest date wins
            Matcher m = DATED.matcher(key);
            if (m.matches()) {
                latest.put(m.group(1), key);
            }
        }
        this.latestDatedByBase = latest;
    }

    public static PricingTable of(Map<String, ModelPrice> entries) {
        Map<String, ModelPrice> lower = new LinkedHashMap<>();
        entries.forEach((k, v) -> lower.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        return new PricingTable(Map.copyOf(lower));
    }

    /**
     * Reads a LiteLLM-format JSON object of model → prices and validates every entry; the error names
     * the source, the entry and the field.
     */
    public static Map<String, ModelPrice> read(InputStream json, String source, Validator validator) {
        Map<String, ModelPrice> entries;
        try {
            entries = JSON.readValue(json, new TypeReference<LinkedHashMap<String, ModelPrice>>() {});
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("pricing table " + source + ": not a JSON object of model -> prices: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("pricing table " + source + ": cannot read: " + e.getMessage(), e);
        }
        if (entries == null) {
            throw new IllegalArgumentException("pricing table " + source + ": empty");
        }
        for (Map.Entry<String, ModelPrice> e : entries.entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalArgumentException("pricing table " + source + ": entry '" + e.getKey() + "' is null");
            }
            Set<ConstraintViolation<ModelPrice>> violations = validator.validate(e.getValue());
            if (!violations.isEmpty()) {
                ConstraintViolation<ModelPrice> v = violations.iterator().next();
                throw new IllegalArgumentException("pricing table " + source + ": entry '" + e.getKey() + "': "
                        + jsonName(v.getPropertyPath().toString()) + " " + v.getMessage());
            }
        }
        return entries;
    }

    private static String jsonName(String property) {
        try { // the record's fields carry the @JsonProperty names
            var json = ModelPrice.class.getDeclaredField(property).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            return json != null ? json.value() : property;
        } catch (NoSuchFieldException e) {
            return property;
        }
    }

    /** This table with {@code overrides} added or replacing entries of the same (case-insensitive) name. */
    public PricingTable withOverrides(Map<String, ModelPrice> overrides) {
        Map<String, ModelPrice> merged = new LinkedHashMap<>(byKey);
        overrides.forEach((k, v) -> merged.put(k.toLowerCase(Locale.ROOT), v));
        return new PricingTable(Map.copyOf(merged));
    }

    public int size() {
        return byKey.size();
    }

    public Optional<Match> lookup(String model) {
        if (model == null || model.isBlank()) {
            return Optional.empty();
        }
        Optional<Match> hit = cache.get(model);
        if (hit != null) {
            return hit;
        }
        Optional<Match> resolved = resolve(model.trim().toLowerCase(Locale.ROOT));
        if (cache.size() < CACHE_LIMIT) { // a flood of made-up names cannot grow it without bound
            cache.put(model, resolved);
        }
        return resolved;
    }

    private Optional<Match> resolve(String name) {
        Optional<Match> exact = exact(name);
        if (exact.isPresent()) {
            return exact;
        }
        int colon = name.lastIndexOf(':');
        if (colon > 0) {
            String suffix = name.substring(colon + 1);
            if (suffix.equals("free")) {
                return Optional.of(new Match(name, ModelPrice.FREE));
            }
            if (VARIANTS.contains(suffix)) {
                return resolve(name.substring(0, colon));
            }
        }
        String n = name.startsWith("openrouter/") ? name.substring("openrouter/".length()) : name;
        String bare = n.substring(n.lastIndexOf('/') + 1);
        for (String candidate : new String[] {n, bare, "openrouter/" + n}) {
            Optional<Match> m = exact(candidate);
            if (m.isPresent()) {
                return m;
            }
        }
        for (String candidate : new String[] {n, bare}) {
            Matcher dated = DATED.matcher(candidate);
            if (dated.matches()) {
                Optional<Match> base = exact(dated.group(1)).or(() -> exact("openrouter/" + dated.group(1)));
                if (base.isPresent()) {
                    return base;
                }
            }
        }
        for (String candidate : new String[] {n, bare}) { // an undated name where only dated entries exist
            String latest = latestDatedByBase.get(candidate);
            if (latest != null) {
                return exact(latest);
            }
        }
        // the same model under the provider's own spelling (x-ai → xai, 3.5 → 3-5, -latest, dates) …
        String org = n.contains("/") ? n.substring(0, n.lastIndexOf('/')) : "";
        org = org.substring(org.lastIndexOf('/') + 1);
        ModelIndex models = index();
        Optional<Match> firstHand = (org.isEmpty() ? ModelIndex.FIRST_PARTY.keySet().stream().sorted()
                .flatMap(o -> models.firstParty(o, bare).stream()).findFirst() : models.firstParty(org, bare))
                .flatMap(this::exact);
        if (firstHand.isPresent()) {
            return firstHand;
        }
        // … else a third-party host's price for it, marked as an estimate
        return models.host(bare).map(key -> new Match(key, byKey.get(key), true));
    }

    private ModelIndex index() {
        ModelIndex built = index;
        if (built == null) { // two threads may both build it: the same index, so either one will do
            built = new ModelIndex(byKey.keySet());
            index = built;
        }
        return built;
    }

    private Optional<Match> exact(String key) {
        ModelPrice price = byKey.get(key);
        return price == null ? Optional.empty() : Optional.of(new Match(key, price));
    }
}
