package dev.llmtrace.enrich.pricing;

import dev.llmtrace.enrich.EnrichConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The pricing table in force: the shipped LiteLLM-derived table, the user's overrides file (reloaded
 * when it changes) and, when switched on, OpenRouter's live prices (refreshed on an interval, cached on
 * disk, the last ones kept when the endpoint cannot be reached). A bad file at start stops enrich with a message naming the entry and
 * field; a bad file on reload is logged and counted, and the previous table stays in force.
 */
@ApplicationScoped
@Startup
public class PricingTables {
    private static final Logger LOG = Logger.getLogger(PricingTables.class);
    static final String SHIPPED = "/pricing/litellm-prices.json";

    private final Map<String, ModelPrice> shipped;
    private final Validator validator;
    private final MeterRegistry registry;
    private final ScheduledExecutorService watcher = dev.llmtrace.core.Schedulers.daemon("pricing-reload");
    private volatile PricingTable current;
    private volatile Object lastSeen;
    private final Path overrides;
    private volatile Map<String, ModelPrice> live = Map.of();
    private volatile long liveFetchedAtMillis;

    public PricingTables(EnrichConfig config, Validator validator, MeterRegistry registry) {
        this.validator = validator;
        this.registry = registry;
        try (InputStream in = PricingTables.class.getResourceAsStream(SHIPPED)) {
            this.shipped = PricingTable.read(Objects.requireNonNull(in, SHIPPED), "(shipped) " + SHIPPED, validator);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped pricing table", e);
        }
        this.overrides = config.pricing().overridesFile().orElse(null);
        this.current = build(overrides); // at start a bad file is fatal
        LOG.infof("pricing table: %d models%s", current.size(), overrides == null ? "" : " including overrides from " + overrides);
        if (overrides != null) {
            lastSeen = stamp(overrides);
            long every = config.pricing().reloadInterval().toMillis();
            watcher.scheduleWithFixedDelay(() -> reloadIfChanged(overrides), every, every, TimeUnit.MILLISECONDS);
        }
        EnrichConfig.OpenRouter openRouter = config.pricing().openrouter();
        if (openRouter.enabled()) {
            startLive(new OpenRouterPrices(openRouter.url(), openRouter.timeout(), openRouter.cacheFile()), openRouter.refreshInterval());
        }
    }

    /** OpenRouter's live prices: the cached ones at once, then fetched now and on every interval. */
    private void startLive(OpenRouterPrices source, java.time.Duration interval) {
        registry.gauge("llmtrace.pricing.live.age.seconds", this,
                t -> t.liveFetchedAtMillis == 0 ? Double.NaN : (System.currentTimeMillis() - t.liveFetchedAtMillis) / 1000.0);
        registry.gauge("llmtrace.pricing.live.models", this, t -> t.live.size());
        registry.counter("llmtrace.pricing.live.failures");
        Map<String, ModelPrice> cached = source.cached();
        if (!cached.isEmpty()) {
            live = cached;
            current = build(overrides);
            LOG.infof("OpenRouter prices: %d models from the cache, until the first fetch", cached.size());
        }
        watcher.scheduleWithFixedDelay(() -> refreshLive(source), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void refreshLive(OpenRouterPrices source) {
        try {
            Map<String, ModelPrice> fetched = source.fetch();
            live = fetched;
            liveFetchedAtMillis = System.currentTimeMillis();
            current = build(overrides);
            LOG.infof("OpenRouter prices: %d models fetched", fetched.size());
        } catch (IOException | RuntimeException e) {
            registry.counter("llmtrace.pricing.live.failures").increment();
            LOG.warnf("OpenRouter prices not refreshed, the last ones stay in force: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public PricingTable current() {
        return current;
    }

    /** Precedence: OpenRouter's live prices over the overrides file over the shipped table. */
    private PricingTable build(Path overrides) {
        PricingTable table = PricingTable.of(shipped);
        if (overrides != null) {
            try (InputStream in = Files.newInputStream(overrides)) {
                table = table.withOverrides(PricingTable.read(in, overrides.toString(), validator));
            } catch (IOException e) {
                throw new IllegalArgumentException("pricing table " + overrides + ": cannot read: " + e.getMessage(), e);
            }
        }
        return live.isEmpty() ? table : table.withOverrides(live);
    }

    void reloadIfChanged(Path overrides) {
        Object stamp = stamp(overrides);
        if (Objects.equals(stamp, lastSeen)) {
            return;
        }
        lastSeen = stamp;
        try {
            current = build(overrides);
            registry.counter("llmtrace.pricing.reloads", "result", "ok").increment();
            LOG.infof("pricing overrides reloaded from %s: %d models", overrides, current.size());
        } catch (RuntimeException e) {
            registry.counter("llmtrace.pricing.reloads", "result", "failed").increment();
            LOG.errorf("pricing overrides in %s rejected, the previous table stays in force: %s", overrides, e.getMessage());
        }
    }

    /** The file's content hash: a ConfigMap update swaps a symlink, and two quick edits may share a timestamp. */
    private static Object stamp(Path file) {
        try {
            return java.util.Arrays.hashCode(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            return "missing";
        }
    }

    @PreDestroy
    void stop() {
        watcher.shutdownNow();
    }
}
