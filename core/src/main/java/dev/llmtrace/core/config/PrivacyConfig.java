package dev.llmtrace.core.config;

import dev.llmtrace.core.privacy.Detector;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.privacy.PrivacyProcessor;
import dev.llmtrace.core.privacy.Redactor;
import io.smallrye.config.WithDefault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Privacy settings as a config group (enrich's global policy, export's per-destination policies). */
public interface PrivacyConfig {
    /** The policy (enrich: for every destination; export: the default of destinations that set none). */
    @WithDefault("full")
    PrivacyPolicy policy();

    /** Personal-data detectors used by the mask policy (secrets are always detected). Default: all. */
    Optional<Set<Detector>> detectors();

    /** Exact values never masked (e.g. your support address). */
    Optional<Set<String>> allow();

    /** Extra patterns to mask under the mask policy, name = RE2 expression; the name becomes the placeholder. */
    Map<String, String> extraPatterns();

    /** Attributes replaced by a keyed HMAC-SHA256 under mask and drop, so per-user analysis still works. */
    @WithDefault("user.id")
    Set<String> hashAttributes();

    /** The HMAC key (at least 16 bytes); prefer hash-key-file or a ${ENV} expression. */
    Optional<String> hashKey();

    Optional<Path> hashKeyFile();

    /** Builds the processor for {@code policy}; errors name the setting under {@code prefix}. */
    default PrivacyProcessor processor(PrivacyPolicy policy, String prefix) {
        List<Redactor.ExtraPattern> extra = new ArrayList<>();
        extraPatterns().forEach((name, regex) -> {
            try {
                extra.add(Redactor.ExtraPattern.compile(name, regex));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(prefix + ".extra-patterns: " + e.getMessage());
            }
        });
        Redactor redactor = new Redactor(detectors().orElse(EnumSet.allOf(Detector.class)), extra, allow().orElse(Set.of()));
        byte[] key = hashKey().map(k -> k.getBytes(StandardCharsets.UTF_8)).or(() -> hashKeyFile().map(f -> {
            try {
                return Files.readString(f, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + prefix + ".hash-key-file " + f, e);
            }
        })).orElse(null);
        Set<String> hashed = key == null ? Set.of() : hashAttributes(); // without a key, ids are left as they are
        try {
            return new PrivacyProcessor(policy, redactor, hashed, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(prefix + ": " + e.getMessage());
        }
    }
}
