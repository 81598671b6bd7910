package dev.llmtrace.enrich;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import java.time.Duration;

/** enrich's settings, validated at start. */
@ConfigMapping(prefix = "enrich")
public interface EnrichConfig {
    @Valid
    Forward forward();

    interface Forward {
        /** Deadline of one call to export; ingest retries on failure. */
        @WithDefault("10s")
        Duration timeout();
    }
}
