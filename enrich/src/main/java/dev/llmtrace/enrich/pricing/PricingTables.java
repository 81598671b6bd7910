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
 * The pricing table in force: the shipped LiteLLM-derived table plus the user's overrides file,
 * reloaded when the file changes. A bad file at start stops enrich with a message naming the entry and
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

    public PricingTables(EnrichConfig config, Validator validator, MeterRegistry registry) {
        this.validator = validator;
        this.registry = registry;
        try (InputStream in = PricingTables.class.getResourceAsStream(SHIPPED)) {
            this.shipped = PricingTable.read(Objects.requireNonNull(in, SHIPPED), "(shipped) " + SHIPPED, validator);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the shipped pricing table", e);
        }
        Path overrides = config.pricing().overridesFile().orElse(null);
        this.current = build(overrides); // at start a bad file is fatal
        LOG.infof("pricing table: %d models%s", current.size(), overrides == null ? "" : " including overrides from " + overrides);
        if (overrides != null) {
            lastSeen = stamp(overrides);
            long every = config.pricing().reloadInterval().toMillis();
            watcher.scheduleWithFixedDelay(() -> reloadIfChanged(overrides), every, every, TimeUnit.MILLISECONDS);
        }
    }

    public PricingTable current() {
        return current;
    }

    private PricingTable build(Path overrides) {
        PricingTable table = PricingTable.of(shipped);
        if (overrides == null) {
            return table;
        }
        try (InputStream in = Files.newInputStream(overrides)) {
            return table.withOverrides(PricingTable.read(in, overrides.toString(), validator));
        } catch (IOException e) {
            throw new IllegalArgumentException("pricing table " + overrides + ": cannot read: " + e.getMessage(), e);
        }
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
