package dev.llmtrace.export;

import dev.llmtrace.core.memory.MemoryBudget;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import io.smallrye.common.annotation.Identifier;

/** Not ready while a destination that blocks when full has a full queue. */
@Readiness
@ApplicationScoped
public class QueuesReadiness implements HealthCheck {
    private final Destinations destinations;
    private final MemoryBudget memory;

    public QueuesReadiness(Destinations destinations, @Identifier("export") MemoryBudget memory) {
        this.destinations = destinations;
        this.memory = memory;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("destination-queues").status(destinations.canTakeData() && memory.hasRoom())
                .withData("in-flight-bytes", memory.used());
        for (DestinationWorker worker : destinations.workers()) {
            response.withData(worker.spec().name(), worker.backlog());
        }
        return response.build();
    }
}
