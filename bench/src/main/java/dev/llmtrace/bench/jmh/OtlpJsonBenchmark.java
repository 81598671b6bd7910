package dev.llmtrace.bench.jmh;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What ingest does with an OpenRouter Broadcast body before validating it: OTLP/JSON to protobuf bytes.
 * One thread. Score = requests/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class OtlpJsonBenchmark {
    byte[] broadcast;

    @Setup
    public void setUp() {
        broadcast = Fixtures.bytes(Fixtures.BROADCAST_FULL);
    }

    /** What ingest does: JSON straight to protobuf bytes. */
    @Benchmark
    public byte[] broadcastToProtobuf() {
        return OtlpJson.tracesToProtobuf(broadcast);
    }

    /** Through the generated message (what ingest did before the transcoder builds no objects). */
    @Benchmark
    public byte[] broadcastToRequestAndBack() {
        return OtlpJson.parseTraces(broadcast).toByteArray();
    }
}
