package dev.llmtrace.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmtrace.core.FakeOtlpReceiver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A full disk under Broadcast load. Every process of the pipeline is let write no file past the smallest log
 * segment of the write-ahead log and the queues plus 16 KiB (a soft file-size limit set with util-linux's prlimit: the write fails with EFBIG as it would with
 * ENOSPC), then the limit is lifted. While it holds, ingest answers 503 (its write-ahead log cannot take more);
 * afterwards data flows again, and every span answered 200 reaches both destinations. A queue write that failed
 * used to leave the room it had reserved in the other destinations' queues taken for good: with small queues
 * they then refused everything, full of nothing, and the pipeline stopped.
 */
class DiskFullTest {

    @Test
    void aFullDiskRefusesNewDataAndLosesNothingAnswered200() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "util-linux prlimit sets the file-size limit");
        try (FakeOtlpReceiver second = FakeOtlpReceiver.onFreePort();
                Pipeline pipeline = new Pipeline("disk-full", Map.of(
                        "export.sink.enabled", "false",
                        "export.destinations.backend.queue.max-bytes", "65536",
                        "export.destinations.second.type", "otlp-grpc",
                        "export.destinations.second.endpoint", "http://127.0.0.1:" + second.port(),
                        "export.destinations.second.retry.initial-interval", "200ms",
                        "export.destinations.second.retry.max-interval", "2s",
                        "export.destinations.second.queue.max-bytes", "65536"), Map.of())) {
            pipeline.start();
            Path work = pipeline.sinkDir.getParent();
            BroadcastLoad load = new BroadcastLoad(pipeline.ingestHttp, 4, Duration.ofMillis(15), 77);
            Thread.sleep(2000);
            long limit = smallestLogSegment(work) + 16384; // the WAL and every queue are at or near it at once
            pipeline.processes().forEach(p -> prlimit(p, limit + ":unlimited"));
            await().atMost(Duration.ofSeconds(30)).until(() -> load.requestsAnswered(503) > 20);
            Thread.sleep(3000); // what ingest holds is retried into queues that cannot be written
            Set<String> sent = freeTheDiskThenStop(pipeline, load);
            for (FakeOtlpReceiver destination : new FakeOtlpReceiver[] {pipeline.backend, second}) {
                // the backlog drains in a few seconds: a full queue paces its sender (export.queue.wait-for-room); it
                // used to refuse it for a retry a second or more later, and the backlog took 60-110 s
                await().atMost(Duration.ofSeconds(30)).until(() -> destination.spansById().keySet().containsAll(sent));
                Set<String> delivered = destination.spansById().keySet();
                Set<String> missing = new HashSet<>(sent);
                missing.removeAll(delivered);
                assertEquals(Set.of(), missing, "zero spans answered 200 lost");
                System.out.printf("disk full: %d spans answered 200, %d delivered, %d duplicates; answers %s%n",
                        sent.size(), delivered.size(), destination.spanCount() - delivered.size(), load.statuses);
            }
            assertTrue(load.statuses.keySet().stream().allMatch(s -> s == 200 || s == 503), "only 200 or 503: " + load.statuses);
            assertTrue(pipeline.ingest.metrics().contains("llmtrace_requests_rejected_total{reason=\"wal_unavailable\",service=\"ingest\"}"));
            // one line per 10 s while a log cannot be written, not one per request
            long walLines = lines(pipeline.ingest, "cannot write the write-ahead log");
            assertTrue(walLines >= 1 && walLines <= 2, "write-ahead log lines: " + walLines);
            long queueLines = lines(pipeline.export, "cannot write the queue of destination");
            // the all-in-one sends to healthy destinations before it queues: its queues need not be written at all
            assertTrue((Pipeline.ALL_IN_ONE || queueLines >= 1) && queueLines <= 2, "queue lines: " + queueLines);
        }
    }

    /**
     * No file may grow at all for a while: records, acknowledgements, the destination's file sink and the services'
     * own logs. An acknowledgement that could not be written used to stop ingest's forwarder for good (liveness
     * down, and on a host without a liveness probe nothing reached enrich again) and to leave its torn bytes in the
     * file, shifting every acknowledgement after it.
     */
    @Test
    void withNoRoomForAcknowledgementsEitherDataFlowsAgainAfterwards() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "util-linux prlimit sets the file-size limit");
        try (Pipeline pipeline = new Pipeline("disk-full-acks")) {
            pipeline.start();
            BroadcastLoad load = new BroadcastLoad(pipeline.ingestHttp, 4, Duration.ofMillis(15), 78);
            Thread.sleep(2000);
            pipeline.processes().forEach(p -> prlimit(p, "1:unlimited"));
            Thread.sleep(5000);
            Set<String> sent = freeTheDiskThenStop(pipeline, load);
            await().atMost(Duration.ofSeconds(90)).until(() -> pipeline.backend.spansById().keySet().containsAll(sent));
            System.out.printf("disk full, acknowledgements too: %d spans answered 200, %d delivered, %d duplicates; answers %s%n",
                    sent.size(), pipeline.backend.spansById().size(), pipeline.backend.spanCount() - pipeline.backend.spansById().size(),
                    load.statuses);
            assertTrue(load.statuses.keySet().stream().allMatch(s -> s == 200 || s == 503), "only 200 or 503: " + load.statuses);
        }
    }

    /** Lifts the limit, lets the load run on 4 s and stops it; returns the spans answered 200, after checking some came after. */
    private static Set<String> freeTheDiskThenStop(Pipeline pipeline, BroadcastLoad load) throws InterruptedException {
        pipeline.processes().forEach(p -> prlimit(p, "unlimited:unlimited"));
        int sentWhileFull = load.sent.size();
        Thread.sleep(4000);
        load.close();
        assertTrue(load.sent.size() > sentWhileFull, "data is taken again once the disk has room: " + load.sent.size()
                + " after " + sentWhileFull);
        return load.sent;
    }

    private static long lines(ServiceProcess process, String text) throws IOException {
        return Files.readAllLines(process.log()).stream().filter(l -> l.contains(text)).count();
    }

    /** The smallest segment log of the write-ahead log and the queues (acknowledgement files and the services' logs are smaller). */
    private static long smallestLogSegment(Path work) throws IOException {
        long smallest = Long.MAX_VALUE;
        for (String dir : new String[] {"wal", "queue"}) {
            try (Stream<Path> files = Files.walk(work.resolve(dir))) {
                smallest = Math.min(smallest, files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length())
                        .min().orElse(Long.MAX_VALUE));
            }
        }
        return smallest;
    }

    private static void prlimit(ServiceProcess process, String fileSize) {
        try {
            int exit = new ProcessBuilder("prlimit", "--pid", Long.toString(process.pid()), "--fsize=" + fileSize).inheritIO().start().waitFor();
            assertEquals(0, exit, "prlimit --fsize=" + fileSize);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
