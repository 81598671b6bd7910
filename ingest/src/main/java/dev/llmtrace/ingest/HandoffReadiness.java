package dev.llmtrace.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the buffer to enrich is full or the memory for requests in flight nearly is, so a
 * load balancer sends new senders elsewhere.
 */
@Readiness
@ApplicationScoped
public class HandoffReadiness implements HealthCheck {
    private final IngestBuffer buffer;
    private final RequestMemory memory;

    public HandoffReadiness(IngestBuffer buffer, RequestMemory memory) {
        this.buffer = buffer;
        this.memory = memory;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("enrich-handoff-buffer")
                .status(buffer.hasRoom() && memory.hasRoom())
                .withData("requests", buffer.bufferedRequests())
                .withData("in-flight-bytes", memory.used())
                .build();
    }
}
