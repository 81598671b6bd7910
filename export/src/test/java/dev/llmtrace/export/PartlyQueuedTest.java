package dev.llmtrace.export;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.llmtrace.core.FileTrees;
import dev.llmtrace.core.grpc.Tenants;
import dev.llmtrace.core.otlp.OtlpJson;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A batch that one destination's queue took before another's could not be written (its disk full; here its directory
 * gone, so the next segment file cannot be made) is refused for the sender to retry. The retries reach only the
 * destination that does not have it yet: each destination gets the batch once.
 */
@QuarkusTest
@TestProfile(PartlyQueuedTest.TwoFileDestinations.class)
class PartlyQueuedTest {
    static final Path ROOT = Path.of("target/partly-queued-" + System.nanoTime()).toAbsolutePath();

    public static class TwoFileDestinations implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("export.queue.directory", ROOT.resolve("queues").toString(),
                    "export.queue.segment-bytes", "4096", // a new segment file for every batch over 4 KiB
                    "export.destinations.first.type", "file",
                    "export.destinations.first.endpoint", ROOT.resolve("first").toUri().toString(),
                    "export.destinations.second.type", "file",
                    "export.destinations.second.endpoint", ROOT.resolve("second").toUri().toString());
        }
    }

    @Inject
    Destinations destinations;

    @Test
    void aBatchRefusedForOneDestinationReachesTheOthersOnce() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", 24517).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Tenants.HEADER, "acme");
            var export = TraceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            export.export(batch("before", 40)); // every queue has a segment with something in it
            DestinationWorker appendedFirst = destinations.workers().get(0);
            DestinationWorker appendedLast = destinations.workers().get(1);
            Path lastQueue = ROOT.resolve("queues").resolve(appendedLast.spec().name());
            await().atMost(Duration.ofSeconds(10)).until(() -> spans(appendedFirst).size() == 40 && spans(appendedLast).size() == 40);

            FileTrees.deleteTree(lastQueue); // its next segment file cannot be made
            ExportTraceServiceRequest batch = batch("during", 40);
            for (int attempt = 0; attempt < 3; attempt++) {
                assertThrows(StatusRuntimeException.class, () -> export.export(batch), "refused: the sender retries");
            }
            Files.createDirectories(lastQueue);
            export.export(batch);

            await().atMost(Duration.ofSeconds(10)).until(() -> spans(appendedLast).size() == 80);
            Thread.sleep(500); // a duplicate in the first would be on its way by now
            for (DestinationWorker worker : List.of(appendedFirst, appendedLast)) {
                List<String> ids = spans(worker);
                assertEquals(80, ids.size(), worker.spec().name() + ": each span once");
                assertEquals(80, ids.stream().distinct().count(), worker.spec().name());
            }
        } finally {
            channel.shutdownNow();
        }
    }

    /** Span ids in the files the destination wrote. */
    static List<String> spans(DestinationWorker worker) throws IOException {
        Path directory = ROOT.resolve(worker.spec().name());
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return ids;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                for (String line : Files.readAllLines(file)) { // one batch as it was sent: one resource, one scope
                    ids.addAll(DestinationsTest.spanIds(OtlpJson.parseTraces(line.getBytes(StandardCharsets.UTF_8))));
                }
            }
        }
        return ids;
    }

    static ExportTraceServiceRequest batch(String testCase, int spans) {
        return DestinationsTest.batch(testCase, spans);
    }
}
