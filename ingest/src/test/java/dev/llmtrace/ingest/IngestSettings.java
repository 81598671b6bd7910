package dev.llmtrace.ingest;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;

/** ingest's config mapping as the service reads it (its application.properties) under a test's settings, without a server. */
final class IngestSettings {
    private IngestSettings() {}

    /** {@code settings}: names and values in turn. */
    static IngestConfig of(String... settings) {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            overrides.put(settings[i], settings[i + 1]);
        }
        try {
            return new SmallRyeConfigBuilder().withMapping(IngestConfig.class)
                    .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .withSources(new PropertiesConfigSource(IngestSettings.class.getResource("/application.properties"), 100),
                            new PropertiesConfigSource(overrides, "test", 200))
                    .build().getConfigMapping(IngestConfig.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
