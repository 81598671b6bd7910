package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.Status;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * "A 200 means the data survives": each service is killed (SIGKILL: no hook, no flush) or stopped
 * (SIGTERM) while Broadcast-style requests arrive, its next hop is stalled (SIGSTOP, or the destination
 * failing) and the destination is slow. Every span answered 200 must reach the destination; duplicates
 * stay within the documented bound (the requests in flight from ingest to enrich at the crash).
 */
class CrashTest {
    static final int CONCURRENCY = 4;
    static final int BATCH_REQUESTS = 16;
    static final Duration DRAIN = Duration.ofSeconds(3);

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ingest,kill", "enrich,kill", "export,kill", "all,kill", "ingest,term", "enrich,term", "export,term"})
    void aCrashUnderLoadLosesNothingAnswered200(String victim, String signal) throws Exception {
        assumeTrue(!Pipeline.ALL_IN_ONE || victim.equals("ingest"), "the all-in-one is one process: its crash is ingest's row");
        // (the three at once: "all"; its next hop out is the destination)
        Map<String, String> ingest = Map.of(
                "ingest.forward.concurrency", Integer.toString(CONCURRENCY),
                "ingest.forward.batch.max-requests", Integer.toString(BATCH_REQUESTS),
                "ingest.forward.drain-timeout", DRAIN.toSeconds() + "s",
                "ingest.forward.timeout", "3s");
        Map<String, String> export = Map.of("export.drain-timeout", DRAIN.toSeconds() + "s");
        try (Pipeline pipeline = new Pipeline("crash-" + victim + "-" + signal, export, ingest)) {
            pipeline.start();
            pipeline.backend.slowBy(Duration.ofMillis(20));
            List<ServiceProcess> targets = switch (victim) {
                case "ingest" -> List.of(pipeline.ingest);
                case "enrich" -> List.of(pipeline.enrich);
                case "export" -> List.of(pipeline.export);
                default -> pipeline.processes(); // all of them at once, as a node failure would
            };
            int idBase = ("crash-" + victim + signal).hashCode() & 0xFF;
            BroadcastLoad load = new BroadcastLoad(pipeline.ingestHttp, 4, Duration.ofMillis(15), idBase);
            Thread.sleep(2000);
            stallNextHop(pipeline, victim, true);
            Thread.sleep(3000);
            int sentBeforeCrash = load.sent.size();
            long stopping = System.nanoTime();
            for (ServiceProcess target : targets) {
                if (signal.equals("kill")) {
                    target.kill();
                } else {
                    target.stop();
                    Duration took = Duration.ofNanos(System.nanoTime() - stopping);
                    assertTrue(took.compareTo(DRAIN.plusSeconds(8)) < 0, victim + " took " + took + " to stop, drain timeout " + DRAIN);
                }
            }
            targets.forEach(ServiceProcess::start);
            stallNextHop(pipeline, victim, false);
            targets.forEach(target -> target.awaitReady(Pipeline.READY));
            Thread.sleep(2000);
            load.close();

            Set<String> sent = load.sent;
            assertTrue(sentBeforeCrash > 200, "traffic flowed up to the crash: " + sentBeforeCrash);
            assertTrue(sent.size() > sentBeforeCrash, "and after it: " + sent.size());
            await().atMost(Duration.ofSeconds(90)).until(() -> pipeline.backend.spansById().keySet().containsAll(sent));
            Set<String> missing = new HashSet<>(sent);
            missing.removeAll(pipeline.backend.spansById().keySet());
            assertEquals(Set.of(), missing, "zero spans answered 200 lost");
            int duplicates = pipeline.backend.spanCount() - pipeline.backend.spansById().size();
            int bound = CONCURRENCY * BATCH_REQUESTS * BroadcastLoad.SPANS_PER_REQUEST;
            System.out.printf("crash test, %s %s: %d spans answered 200, %d delivered, %d duplicates (bound %d); answers %s%n",
                    signal, victim, sent.size(), pipeline.backend.spansById().size(), duplicates, bound, load.statuses);
            assertTrue(duplicates <= bound, "duplicates " + duplicates + " over the bound " + bound);
            assertTrue(load.statuses.keySet().stream().allMatch(s -> s == 200 || s == 503 || s == -1),
                    "only 200, 503, or no answer while ingest was down: " + load.statuses);
        }
    }

    /** The hop after the victim stops answering: enrich or export frozen with SIGSTOP, the destination failing. */
    static void stallNextHop(Pipeline pipeline, String victim, boolean stall) {
        switch (Pipeline.ALL_IN_ONE || victim.equals("all") ? "export" : victim) { // then the next hop out is the destination
            case "ingest" -> {
                if (stall) {
                    pipeline.enrich.pause();
                } else {
                    pipeline.enrich.resume();
                }
            }
            case "enrich" -> {
                if (stall) {
                    pipeline.export.pause();
                } else {
                    pipeline.export.resume();
                }
            }
            default -> pipeline.backend.failWith(stall ? Status.UNAVAILABLE.withDescription("backend down") : null);
        }
    }
}
