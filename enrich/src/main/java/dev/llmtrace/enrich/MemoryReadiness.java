package dev.llmtrace.enrich;

import dev.llmtrace.core.memory.MemoryBudget;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import io.smallrye.common.annotation.Identifier;

/** Not ready while nearly all the memory for requests in flight is held: ingest's round robin goes elsewhere. */
@Readiness
@ApplicationScoped
public class MemoryReadiness implements HealthCheck {
    private final MemoryBudget memory;

    public MemoryReadiness(@Identifier("enrich") MemoryBudget memory) {
        this.memory = memory;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("enrich-memory").status(memory.hasRoom()).withData("in-flight-bytes", memory.used()).build();
    }
}
