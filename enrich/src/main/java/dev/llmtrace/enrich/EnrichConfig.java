package dev.llmtrace.enrich;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** enrich's settings, validated at start. */
@ConfigMapping(prefix = "enrich")
public interface EnrichConfig {
    @Valid
    Forward forward();

    @Valid
    Pricing pricing();

    @Valid
    Conventions conventions();

    @Valid
    Metrics metrics();

    /** Heap for requests in flight (defaults and their arithmetic in application.properties). */
    @Valid
    dev.llmtrace.core.config.MemoryConfig memory();

    /** How long the gRPC server keeps a connection (see GrpcServerConfig). */
    dev.llmtrace.core.config.GrpcServerConfig grpc();

    /** The global privacy policy: no destination receives more than it allows. */
    @Valid
    dev.llmtrace.core.config.PrivacyConfig privacy();

    interface Forward {
        /** Deadline of one call to export; ingest retries on failure. */
        @WithDefault("10s")
        Duration timeout();
    }

    interface Pricing {
        /** A LiteLLM-format JSON file whose entries add to or replace the shipped table (e.g. a ConfigMap mount). */
        Optional<Path> overridesFile();

        /** How often the overrides file is checked for changes. */
        @WithDefault("5s")
        Duration reloadInterval();

        /** Drift between a sender's cost and our estimate above this fraction is counted. */
        @WithDefault("0.01")
        double driftThreshold();

        @Valid
        OpenRouter openrouter();
    }

    /** OpenRouter's own live prices (its public models endpoint), above the overrides file and the shipped table. */
    interface OpenRouter {
        /** Off by default: it reaches the internet. */
        @WithDefault("false")
        boolean enabled();

        @WithDefault("https://openrouter.ai/api/v1/models")
        java.net.URI url();

        @WithDefault("1h")
        Duration refreshInterval();

        @WithDefault("10s")
        Duration timeout();

        /** The last successful response, so a restart without network keeps the prices. */
        @WithDefault("data/openrouter-models.json")
        Path cacheFile();
    }

    /**
     * openinference: OpenInference's names for model, provider, tokens and cost; openinference-content: its copies of the
     * prompt and completion ({@code input.value}, {@code output.value}), which export's phoenix destinations make for
     * themselves, so that other backends do not store the content twice.
     */
    enum AliasSet { OPENOBSERVE, OPENINFERENCE, OPENINFERENCE_CONTENT }

    /** enrich's processing steps, by name in {@code enrich.processors}. */
    enum Step { COST, CONVENTIONS, PRIVACY }

    /**
     * The processing steps in the order they run. Each at most once; privacy is required (secrets are masked
     * under every policy) and runs after any step that adds content names (conventions may copy the prompt to
     * {@code input.value}), so what it masks or drops covers them.
     */
    @WithDefault("cost,conventions,privacy")
    java.util.List<Step> processors();

    interface Conventions {
        /** Extra attribute names to add for backends: openobserve (GenAI views), openinference, openinference-content (see {@link AliasSet}). */
        @WithDefault("openobserve,openinference")
        Set<AliasSet> aliases();
    }

    interface Metrics {
        /** Distinct values kept per label (model, provider, API key, tenant); the rest are counted as "other". */
        @WithDefault("200")
        @Min(1)
        @Max(10000)
        int maxLabelValues();
    }
}
