package dev.llmtrace.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Dead once the stream that forwards to enrich has ended: ingest could only fill its buffer and refuse,
 * which readiness alone would hide behind other replicas forever. A restart brings the stream back.
 */
@Liveness
@ApplicationScoped
public class ForwarderLiveness implements HealthCheck {
    private final EnrichForwarder forwarder;

    public ForwarderLiveness(EnrichForwarder forwarder) {
        this.forwarder = forwarder;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("enrich-forwarder").status(forwarder.forwarding()).build();
    }
}
