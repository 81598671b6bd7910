package dev.llmtrace.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.NextHop;
import dev.llmtrace.core.SpanProcessor;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.retry.ExportException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where the Enricher admits a request (the caller's thread) and where it works on it (its own threads). */
class EnricherTest {
    private static final byte[] REQUEST = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT)).toByteArray();

    private final ExecutorService workers = Executors.newSingleThreadExecutor(r -> new Thread(r, "enrich-test-worker"));
    private final MemoryBudget memory = new MemoryBudget(64L << 20, 1.0);
    private final List<String> stepThreads = new CopyOnWriteArrayList<>();
    private final List<String> exportThreads = new CopyOnWriteArrayList<>();
    private final SpanProcessor step = (span, tenant) -> {
        stepThreads.add(Thread.currentThread().getName());
        return span;
    };
    private final NextHop export = (request, tenant) -> {
        exportThreads.add(Thread.currentThread().getName());
        return CompletableFuture.completedFuture(ExportTraceServiceResponse.getDefaultInstance());
    };
    private final Enricher enricher = new Enricher(step, export, memory, new PipelineMetrics(new SimpleMeterRegistry(), "enrich"), workers, 1);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void admitsOnTheCallersThreadAndWorksOnItsOwn() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        workers.execute(() -> await(busy)); // its one thread is taken

        CompletableFuture<ExportTraceServiceResponse> answer = enricher.export(REQUEST, "acme");
        assertTrue(memory.used() >= REQUEST.length, "a request waiting for a thread is in the memory budget");
        assertFalse(answer.isDone());
        assertTrue(stepThreads.isEmpty(), "nothing worked on the caller's thread");

        busy.countDown();
        answer.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("enrich-test-worker"), stepThreads.stream().distinct().toList());
        assertEquals(List.of("enrich-test-worker"), exportThreads);
        assertEquals(0, memory.used(), "released once export answered");
        assertEquals(1, enricher.parallelism());
    }

    @Test
    void refusesWhatTheBudgetCannotHoldWithoutTakingAThread() {
        MemoryBudget full = new MemoryBudget(REQUEST.length * 8L, 1.0);
        assertTrue(full.lease("other").grow(REQUEST.length * 4L)); // room left for less than the request's charge
        Enricher small = new Enricher(step, export, full,
                new PipelineMetrics(new SimpleMeterRegistry(), "enrich"), task -> {
                    throw new AssertionError("no thread is taken for a refused request");
                }, 1);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> small.export(REQUEST, "acme").get(10, TimeUnit.SECONDS));
        assertInstanceOf(ExportException.class, refused.getCause());
    }

    @Test
    void failsRetryablyAndReleasesTheBudgetWhenStopping() {
        workers.shutdown();
        ExecutionException stopping = assertThrows(ExecutionException.class,
                () -> enricher.export(REQUEST, "acme").get(10, TimeUnit.SECONDS));
        assertTrue(((ExportException) stopping.getCause()).isRetryable());
        assertEquals(0, memory.used());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
