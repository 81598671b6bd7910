package dev.llmtrace.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.metrics.PipelineMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How many calls the forwarder keeps in flight: {@code forward.concurrency}, but never more than the hop works on
 * at once. Each request is its own batch here; the hop answers only when the test lets it.
 */
class EnrichForwarderTest {
    private static final int REQUESTS = 12;

    @Test
    void keepsForwardConcurrencyCallsInFlightToAHopOverTheNetwork() throws Exception {
        Held enrich = new Held(Integer.MAX_VALUE);
        List<EnrichForwarder.Outcome> outcomes = forwardAll(enrich, 5);
        assertEquals(5, enrich.calls.most.get(), "forward.concurrency calls at once");
        assertAllDelivered(enrich, outcomes);
    }

    @Test
    void keepsNoMoreCallsInFlightThanTheHopWorksOnAtOnce() throws Exception {
        Held enrich = new Held(2); // as the all-in-one's Enricher on 2 cores
        List<EnrichForwarder.Outcome> outcomes = forwardAll(enrich, 5);
        assertEquals(2, enrich.calls.most.get(), "calls in flight");
        assertAllDelivered(enrich, outcomes);
    }

    @Test
    void aCallTheHopHasTakenLeavesRoomForTheNextWhileItsAnswerWaits() throws Exception {
        // the all-in-one's Enricher with export delivering first: it takes a batch, then answers once it is delivered
        Held enrich = new Held(2) {
            @Override
            public CompletableFuture<ExportTraceServiceResponse> exportValidated(byte[] request, int spans, String tenant, Runnable taken) {
                CompletableFuture<ExportTraceServiceResponse> answer = export(request, tenant);
                taken.run();
                return answer;
            }
        };
        IngestConfig config = IngestSettings.of("ingest.wal.enabled", "false", "ingest.forward.concurrency", "5",
                "ingest.forward.batch.max-requests", "1");
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry(), "ingest");
        EnrichForwarder forwarder = new EnrichForwarder(config, metrics, new IngestBuffer(config, metrics), enrich);
        List<EnrichForwarder.Outcome> outcomes = new CopyOnWriteArrayList<>();
        forwarder.forward(Multi.createFrom().iterable(IntStream.range(0, REQUESTS).mapToObj(n -> BatchTest.item("acme", n)).toList()))
                .subscribe().with(outcomes::add);
        enrich.awaitCalls(REQUESTS);
        assertEquals(REQUESTS, enrich.calls.most.get(), "every batch handed on though none is answered");
        Thread.sleep(100);
        assertEquals(0, outcomes.size(), "settled only with the answer");
        for (int i = 0; i < REQUESTS; i++) {
            enrich.answerOne();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (outcomes.size() < REQUESTS && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertAllDelivered(enrich, outcomes);
    }

    /** Forwards REQUESTS one-request batches with {@code forward.concurrency}, letting one call answer at a time once the forwarder has sent all it will. */
    private static List<EnrichForwarder.Outcome> forwardAll(Held held, int concurrency) throws Exception {
        IngestConfig config = IngestSettings.of("ingest.wal.enabled", "false", "ingest.forward.concurrency", String.valueOf(concurrency),
                "ingest.forward.batch.max-requests", "1");
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry(), "ingest");
        EnrichForwarder forwarder = new EnrichForwarder(config, metrics, new IngestBuffer(config, metrics), held);
        List<IngestBuffer.Item> items = IntStream.range(0, REQUESTS).mapToObj(n -> BatchTest.item("acme", n)).toList();
        List<EnrichForwarder.Outcome> outcomes = new CopyOnWriteArrayList<>();
        forwarder.forward(Multi.createFrom().iterable(items)).subscribe().with(outcomes::add);
        while (outcomes.size() < REQUESTS) {
            held.awaitCalls(Math.min(REQUESTS - outcomes.size(), held.calls.most.get()));
            Thread.sleep(100); // room for a call beyond the limit, were the forwarder to send one
            held.answerOne();
        }
        return outcomes;
    }

    private static void assertAllDelivered(Held enrich, List<EnrichForwarder.Outcome> outcomes) {
        assertEquals(REQUESTS, outcomes.size());
        outcomes.forEach(outcome -> assertNull(outcome.failure()));
        assertEquals(REQUESTS, enrich.requests.size(), "each batch sent once");
        assertEquals(REQUESTS, outcomes.stream().map(o -> o.batch().items()).distinct().count());
    }

    /** A hop whose calls stay open until answered, counting how many are open at once. */
    private static class Held implements NextHop {
        final int parallelism;
        final OpenCalls calls = new OpenCalls();
        final ConcurrentLinkedQueue<CompletableFuture<ExportTraceServiceResponse>> waiting = new ConcurrentLinkedQueue<>();
        final List<byte[]> requests = new CopyOnWriteArrayList<>();

        Held(int parallelism) {
            this.parallelism = parallelism;
        }

        @Override
        public int parallelism() {
            return parallelism;
        }

        @Override
        public CompletableFuture<ExportTraceServiceResponse> export(byte[] request, String tenant) {
            CompletableFuture<ExportTraceServiceResponse> answer = new CompletableFuture<>();
            requests.add(request);
            waiting.add(answer); // before the count the test waits on
            calls.opened();
            return answer;
        }

        void awaitCalls(int atLeast) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (calls.now.get() < Math.max(atLeast, 1) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(calls.now.get() >= Math.max(atLeast, 1), "the forwarder sent nothing");
        }

        void answerOne() {
            calls.closed();
            waiting.remove().complete(ExportTraceServiceResponse.getDefaultInstance());
        }
    }

    /** Calls open now, and the most that were open at once. */
    private static final class OpenCalls {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        void opened() {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
        }

        void closed() {
            now.decrementAndGet();
        }
    }
}
