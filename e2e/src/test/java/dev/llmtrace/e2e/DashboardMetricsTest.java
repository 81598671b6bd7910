package dev.llmtrace.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import io.grpc.Status;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every metric the Grafana dashboard and the alert rules use exists in a live scrape of the running services. */
class DashboardMetricsTest {
    static final Pattern METRIC = Pattern.compile("llmtrace_[a-z_]+");

    static Set<String> namesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    static Set<String> scraped(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("llmtrace_"))
                .map(l -> l.replaceAll("[{ ].*", "")).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyDashboardAndAlertMetricIsScrapable() throws Exception {
        try (Pipeline pipeline = new Pipeline("dashboard-metrics").start()) {
            var post = given().port(pipeline.ingestHttp).contentType("application/json").body(Fixtures.bytes(Fixtures.BROADCAST_FULL));
            post.header("Authorization", "Bearer " + Pipeline.TOKEN).post("/v1/traces").then().statusCode(200);
            given().port(pipeline.ingestHttp).contentType("application/json").body(Fixtures.bytes(Fixtures.BROADCAST_FULL))
                    .post("/v1/traces").then().statusCode(401);
            await().atMost(Duration.ofSeconds(30)).until(() -> !pipeline.backend.received().isEmpty());

            pipeline.backend.failWith(Status.UNAVAILABLE); // retried: failures and retries
            given().port(pipeline.ingestHttp).header("Authorization", "Bearer " + Pipeline.TOKEN).contentType("application/json")
                    .body(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT)).post("/v1/traces").then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.export.metrics().contains("llmtrace_export_failures_total"));
            pipeline.backend.failWith(Status.INVALID_ARGUMENT); // permanent: dropped
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.export.metrics().contains("llmtrace_export_spans_dropped_total"));
            pipeline.backend.failWith(null);

            Set<String> live = new TreeSet<>();
            for (ServiceProcess service : new ServiceProcess[] {pipeline.ingest, pipeline.enrich, pipeline.export}) {
                live.addAll(scraped(service.metrics()));
            }
            Set<String> used = new TreeSet<>(namesIn(Files.readString(ServiceProcess.repoRoot().resolve("k8s/grafana/llmtrace-dashboard.json"))));
            used.addAll(namesIn(Files.readString(ServiceProcess.repoRoot().resolve("k8s/grafana/alerts.yaml"))));
            assertTrue(used.size() >= 15, "the dashboard and alerts use the pipeline's metrics: " + used);
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(live);
            assertTrue(missing.isEmpty(), "used by the dashboard or alerts but not scraped: " + missing + "\nscraped: " + live);
        }
    }
}
