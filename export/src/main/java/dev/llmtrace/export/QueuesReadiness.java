package dev.llmtrace.export;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while a destination that blocks when full has a full queue. */
@Readiness
@ApplicationScoped
public class QueuesReadiness implements HealthCheck {
    private final Destinations destinations;

    public QueuesReadiness(Destinations destinations) {
        this.destinations = destinations;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("destination-queues").status(destinations.canTakeData());
        for (DestinationWorker worker : destinations.workers()) {
            response.withData(worker.spec().name(), worker.queue().size() + " batch(es), " + worker.queue().bytes() + " bytes");
        }
        return response.build();
    }
}
