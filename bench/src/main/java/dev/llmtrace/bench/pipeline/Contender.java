package dev.llmtrace.bench.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What is measured: a set of processes that receive OTLP/gRPC and OTLP/HTTP and fan out to the sinks' ports. */
abstract class Contender implements AutoCloseable {
    final String name;
    final Path work;
    final Map<String, Process> processes = new LinkedHashMap<>();

    Contender(String name, Path work) {
        this.name = name;
        this.work = work;
    }

    /** OTLP/gRPC. */
    abstract int receiverPort();

    /** OTLP/HTTP ({@code /v1/traces}). */
    abstract int httpPort();

    /** Bearer token the receiver expects, or null. */
    abstract String token();

    abstract void start(List<Integer> sinkPorts) throws Exception;

    Process launch(String label, List<String> command, Map<String, String> env) throws IOException {
        Files.createDirectories(work);
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve(label + ".log").toFile());
        b.environment().putAll(env);
        Process p = b.start();
        processes.put(label, p);
        return p;
    }

    static void awaitHttp200(String url, Process p, long timeoutSeconds) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(url + ": process exited " + p.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " not ready");
    }

    static void awaitPort(int port, Process p, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("process exited " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("port " + port + " not listening");
    }

    /**
     * A port that is free now, below Linux's ephemeral range (32768 and up): a port from that range can be
     * taken by one of the benchmark's own outgoing connections before the contender binds it (it happened).
     */
    static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (java.net.ServerSocket s = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port found between 20000 and 32000"));
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(processes.values());
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
