package dev.llmtrace.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while the buffer to enrich is full, so a load balancer sends new senders elsewhere. */
@Readiness
@ApplicationScoped
public class HandoffReadiness implements HealthCheck {
    private final EnrichHandoff handoff;

    public HandoffReadiness(EnrichHandoff handoff) {
        this.handoff = handoff;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("enrich-handoff-buffer")
                .status(handoff.hasRoom())
                .withData("requests", handoff.bufferedRequests())
                .build();
    }
}
