package dev.llmtrace.bench.pipeline;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The whole-pipeline benchmark (bench/run-pipeline.sh): the same load, sinks and measurements against
 * llmtrace (three services) and against the OpenTelemetry Collector, one after the other in one run.
 * Not a test: it prints figures, it asserts nothing but that every accepted span arrived.
 */
public final class PipelineBench {
    static final int SINKS = 3;

    record Options(List<String> contenders, Path otelcol, int batch, int concurrency, int warmupSeconds, int warmupMaxSeconds,
            double jitSettledShare, int throughputSeconds,
            List<Integer> rates, int rateSeconds, List<String> jvmOptions, PrivacyPolicy privacy, int broadcastConnections,
            int broadcastSeconds, int broadcastSettleSeconds, Path out) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Options o = new Options(
                List.of(a.getOrDefault("contenders", "llmtrace,llmtrace-aio,otelcol,otelcol-light").split(",")),
                a.containsKey("otelcol") ? Path.of(a.get("otelcol")) : null,
                Integer.parseInt(a.getOrDefault("batch", "50")),
                Integer.parseInt(a.getOrDefault("concurrency", "8")),
                Integer.parseInt(a.getOrDefault("warmup", "120")),
                Integer.parseInt(a.getOrDefault("warmup-max", "360")),
                Double.parseDouble(a.getOrDefault("jit-settled", "0.05")),
                Integer.parseInt(a.getOrDefault("throughput", "30")),
                parseInts(a.getOrDefault("rates", "1000,5000,10000")),
                Integer.parseInt(a.getOrDefault("rate-seconds", "20")),
                List.of(a.getOrDefault("jvm", "-Xmx256m").split(" ")),
                PrivacyPolicy.valueOf(a.getOrDefault("privacy", "full").toUpperCase(Locale.ROOT)),
                Integer.parseInt(a.getOrDefault("broadcast-connections", "64")),
                Integer.parseInt(a.getOrDefault("broadcast-seconds", "20")),
                Integer.parseInt(a.getOrDefault("broadcast-settle", "30")),
                Path.of(a.getOrDefault("out", "bench/target/pipeline-results.md")));
        Path repo = Path.of("").toAbsolutePath();
        ExportTraceServiceRequest fixture = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
        int attributes = fixture.getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesCount();

        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "%d cores; span: Broadcast fixture (%d attributes, %d bytes as protobuf); batch %d spans per request; "
                + "%d sinks; throughput: %d requests in flight, %d s after a warm-up of %d s or more, until the JIT used under %.0f %% of the "
                + "contender's CPU for %d s (at most %d s; the share during each phase is in the CPU column); fixed rates %d s each; privacy policy %s "
                + "(the Collector masks the same detector classes).%n%n",
                Runtime.getRuntime().availableProcessors(), attributes, fixture.getResourceSpans(0).getScopeSpans(0).getSpans(0).getSerializedSize(),
                o.batch, SINKS, o.concurrency, o.throughputSeconds, o.warmupSeconds, o.jitSettledShare * 100, SETTLE_STEP_SECONDS,
                o.warmupMaxSeconds, o.rateSeconds, o.privacy.name().toLowerCase(Locale.ROOT)));
        report.append("| contender | phase | offered spans/s | delivered spans/s (each of 3 sinks) | p50 ms | p99 ms | max ms | CPU cores per process (JIT share) | max RSS MiB per process |\n");
        report.append("|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder broadcast = new StringBuilder(String.format(Locale.ROOT, "%n**Broadcast workload**: one span per OTLP/HTTP JSON request, "
                + "%d keep-alive connections with one request in flight each, %d s (after %d s or more of the same to settle, "
                + "until the JIT is settled as in the warm-up).%n%n",
                o.broadcastConnections, o.broadcastSeconds, o.broadcastSettleSeconds));
        broadcast.append("| contender | requests/s accepted | CPU µs per request (all processes; JIT share) | HTTP answer p50 / p99 ms | delivery p50 / p99 ms | refused | max RSS MiB |\n");
        broadcast.append("|---|---|---|---|---|---|---|\n");
        for (String name : o.contenders) {
            Path work = repo.resolve("bench/target/pipeline-run/" + name);
            dev.llmtrace.core.FileTrees.deleteTree(work);
            Contender contender = switch (name) {
                case "llmtrace" -> new LlmtracePipeline(repo, work, o.jvmOptions, false, o.privacy);
                case "llmtrace-aio" -> new LlmtracePipeline(repo, work, o.jvmOptions, true, o.privacy);
                case "otelcol", "otelcol-light" -> {
                    if (o.otelcol == null) {
                        throw new IllegalArgumentException("--otelcol PATH is needed for the Collector");
                    }
                    yield new CollectorPipeline(o.otelcol, work, name.equals("otelcol-light"), o.privacy);
                }
                default -> throw new IllegalArgumentException("unknown contender " + name);
            };
            run(contender, fixture, o, report, broadcast);
            System.out.println(report);
            System.out.println(broadcast);
        }
        report.append(broadcast);
        Files.createDirectories(o.out.getParent());
        Files.writeString(o.out, report);
        System.out.println("written to " + o.out);
    }

    static void run(Contender contender, ExportTraceServiceRequest fixture, Options o, StringBuilder report, StringBuilder broadcastReport)
            throws Exception {
        List<LatencySink> sinks = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < SINKS; i++) {
            int port = Contender.freePort();
            sinks.add(new LatencySink(port));
            ports.add(port);
        }
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (contender; LoadClient load = new LoadClient(contender.receiverPort(), contender.token(), fixture, o.batch);
                BroadcastClient broadcast = new BroadcastClient(contender.httpPort(), contender.token(), fixture)) {
            LongSupplier accepted = () -> load.acceptedSpans.get() + broadcast.acceptedSpans.get();
            contender.start(ports);
            Map<String, ProcessStats> stats = new LinkedHashMap<>();
            contender.processes.forEach((label, p) -> stats.put(label, new ProcessStats(p.pid())));
            sampler.scheduleAtFixedRate(() -> stats.values().forEach(ProcessStats::sample), 0, 500, TimeUnit.MILLISECONDS);

            settle(contender.name + ": warm-up", stats, accepted, o.warmupSeconds, o, seconds -> load.closedLoop(o.concurrency, seconds));
            awaitDelivered(sinks, accepted, 120);

            // sustained throughput: what reaches every sink while the client keeps requests in flight
            stats.values().forEach(ProcessStats::mark);
            long before = minDelivered(sinks);
            long acceptedBefore = load.acceptedSpans.get();
            long t0 = System.nanoTime();
            load.closedLoop(o.concurrency, o.throughputSeconds);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long deliveredInWindow = minDelivered(sinks) - before;
            double offered = (load.acceptedSpans.get() - acceptedBefore) / seconds;
            long drainStart = System.nanoTime();
            awaitDelivered(sinks, accepted, 300);
            double drain = (System.nanoTime() - drainStart) / 1e9;
            double sustained = (minDelivered(sinks) - before) / (seconds + drain);
            sinks.forEach(LatencySink::takeLatencies);
            row(report, contender.name, String.format(Locale.ROOT, "max (closed loop; drained in %.1f s)", drain),
                    offered, Math.min(sustained, deliveredInWindow / seconds), null, stats);

            for (int rate : o.rates) {
                log(contender.name + ": " + rate + " spans/s for " + o.rateSeconds + " s");
                // settle: paced, smaller batches run code the closed loop did not (the JIT compiles again)
                settle(contender.name + ": " + rate + " spans/s settle", stats, accepted, SETTLE_STEP_SECONDS, o, s -> load.fixedRate(rate, s));
                awaitDelivered(sinks, accepted, 60);
                sinks.forEach(LatencySink::takeLatencies);
                stats.values().forEach(ProcessStats::mark);
                long start = minDelivered(sinks);
                long acceptedAtStart = load.acceptedSpans.get();
                long r0 = System.nanoTime();
                load.fixedRate(rate, o.rateSeconds);
                boolean all = awaitDelivered(sinks, accepted, 60);
                double rs = (System.nanoTime() - r0) / 1e9;
                Histogram merged = new Histogram(3);
                sinks.forEach(s -> merged.add(s.takeLatencies()));
                double offeredRate = (load.acceptedSpans.get() - acceptedAtStart) / (double) o.rateSeconds;
                row(report, contender.name, "fixed rate" + (all ? "" : " (NOT ALL DELIVERED)"), offeredRate,
                        (minDelivered(sinks) - start) / Math.max(rs, o.rateSeconds), merged, stats);
            }
            if (o.broadcastSeconds > 0) {
                broadcastPhase(contender, broadcast, sinks, accepted, stats, o, broadcastReport);
            }
            if (load.refusedRequests.get() > 0) {
                report.append(String.format("| %s | refused or over-limit requests during the run: %d | | | | | | | |%n",
                        contender.name, load.refusedRequests.get()));
            }
        } finally {
            sampler.shutdownNow();
            sinks.forEach(LatencySink::close);
        }
    }

    /** One span per HTTP JSON request over many connections: requests/s, CPU per request, answer and delivery latency. */
    static void broadcastPhase(Contender contender, BroadcastClient client, List<LatencySink> sinks, LongSupplier accepted,
            Map<String, ProcessStats> stats, Options o, StringBuilder report) throws InterruptedException {
        log(contender.name + ": Broadcast workload, " + o.broadcastConnections + " connections, " + o.broadcastSeconds + " s");
        // settle: connections open, and the HTTP JSON path (which the gRPC warm-up never ran) compiled by the JIT:
        // with 10 s, the JVMs were still compiling it for much of the measurement
        settle(contender.name + ": Broadcast settle", stats, accepted, o.broadcastSettleSeconds, o,
                seconds -> client.closedLoop(o.broadcastConnections, seconds));
        awaitDelivered(sinks, accepted, 60);
        sinks.forEach(LatencySink::takeLatencies);
        client.answerMicros.getIntervalHistogram();
        stats.values().forEach(ProcessStats::mark);
        long before = client.acceptedSpans.get();
        long refusedBefore = client.refusedRequests.get();
        long t0 = System.nanoTime();
        client.closedLoop(o.broadcastConnections, o.broadcastSeconds);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cores = cores(stats);
        double jitShare = jitShare(stats);
        long requests = client.acceptedSpans.get() - before;
        boolean all = awaitDelivered(sinks, accepted, 120);
        Histogram answers = client.answerMicros.getIntervalHistogram();
        Histogram delivery = new Histogram(3);
        sinks.forEach(s -> delivery.add(s.takeLatencies()));
        double rss = stats.values().stream().mapToDouble(ProcessStats::maxRssMib).sum();
        String line = String.format(Locale.ROOT, "| %s | %,.0f%s | %.0f%s | %s / %s | %s / %s | %d | %.0f |%n", contender.name, requests / seconds,
                all ? "" : " (NOT ALL DELIVERED)", cores * seconds * 1e6 / Math.max(1, requests), jit(jitShare),
                ms(answers.getValueAtPercentile(50)), ms(answers.getValueAtPercentile(99)),
                ms(delivery.getValueAtPercentile(50)), ms(delivery.getValueAtPercentile(99)),
                client.refusedRequests.get() - refusedBefore, rss);
        report.append(line);
        System.out.print(line);
    }

    interface Workload {
        void run(int seconds) throws InterruptedException;
    }

    static final int SETTLE_STEP_SECONDS = 10;

    /**
     * Runs {@code workload} for at least {@code minSeconds}, then on until the JVMs' JIT compilers used less than
     * {@code jit-settled} of the contender's CPU over the last step (or {@code warmup-max} is reached). A JVM still
     * compiles minutes after it starts, and on 2 cores that CPU is taken from the work: measured too early, a JVM
     * contender's figures are its warm-up's. The Collector has no JIT and settles at the minimum. Each step after the
     * first is logged with the spans accepted per second and the contender's cores, so a profile taken during the
     * warm-up can be read against its rate (the same build's closed loop has spread by a quarter between runs).
     */
    static void settle(String what, Map<String, ProcessStats> stats, LongSupplier accepted, int minSeconds, Options o, Workload workload)
            throws InterruptedException {
        log(what + " " + minSeconds + " s or more, until the JIT is under " + Math.round(o.jitSettledShare * 100) + " % of the CPU");
        int first = Math.max(0, minSeconds - SETTLE_STEP_SECONDS);
        if (first > 0) {
            workload.run(first);
        }
        int ran = first;
        double share;
        do {
            stats.values().forEach(ProcessStats::mark);
            long acceptedBefore = accepted.getAsLong();
            long t0 = System.nanoTime();
            workload.run(SETTLE_STEP_SECONDS);
            ran += SETTLE_STEP_SECONDS;
            share = jitShare(stats);
            log(String.format(Locale.ROOT, "%s: at %d s, %.0f spans/s accepted, %.2f cores, JIT %.0f %%", what, ran,
                    (accepted.getAsLong() - acceptedBefore) / ((System.nanoTime() - t0) / 1e9), cores(stats), share * 100));
        } while (share >= o.jitSettledShare && ran < o.warmupMaxSeconds);
        log(String.format(Locale.ROOT, "%s took %d s; JIT %.0f %% of the CPU in its last %d s", what, ran, share * 100, SETTLE_STEP_SECONDS));
    }

    static double cores(Map<String, ProcessStats> stats) {
        return stats.values().stream().mapToDouble(ProcessStats::cores).sum();
    }

    static double jitShare(Map<String, ProcessStats> stats) {
        double cores = cores(stats);
        return cores == 0 ? 0 : stats.values().stream().mapToDouble(ProcessStats::jitCores).sum() / cores;
    }

    static void row(StringBuilder report, String name, String phase, double offered, double delivered, Histogram latency,
            Map<String, ProcessStats> stats) {
        StringBuilder cpu = new StringBuilder();
        StringBuilder rss = new StringBuilder();
        stats.forEach((label, s) -> {
            cpu.append(cpu.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f%s", label, s.cores(),
                    jit(s.cores() == 0 ? 0 : s.jitCores() / s.cores())));
            rss.append(rss.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.0f", label, s.maxRssMib()));
        });
        String p50 = latency == null ? "–" : ms(latency.getValueAtPercentile(50));
        String p99 = latency == null ? "–" : ms(latency.getValueAtPercentile(99));
        String max = latency == null ? "–" : ms(latency.getMaxValue());
        String line = String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f | %s | %s | %s | %s | %s |%n", name, phase, offered, delivered,
                p50, p99, max, cpu, rss);
        report.append(line);
        System.out.print(line);
    }

    /** The JIT's share of a JVM's CPU, blank for a process without one. */
    static String jit(double share) {
        return share == 0 ? "" : String.format(Locale.ROOT, " (JIT %.0f %%)", share * 100);
    }

    static String ms(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    static long minDelivered(List<LatencySink> sinks) {
        return sinks.stream().mapToLong(LatencySink::spans).min().orElse(0);
    }

    /** Until every sink has every accepted span; false on timeout. */
    static boolean awaitDelivered(List<LatencySink> sinks, LongSupplier accepted, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (minDelivered(sinks) >= accepted.getAsLong()) {
                return true;
            }
            Thread.sleep(50);
        }
        log("not all delivered: accepted " + accepted.getAsLong() + ", sinks " + sinks.stream().map(s -> Long.toString(s.spans())).toList());
        return false;
    }

    static List<Integer> parseInts(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(Integer.parseInt(s.trim()));
            }
        }
        return out;
    }

    static void log(String message) {
        System.err.println("[bench] " + message);
    }

}
