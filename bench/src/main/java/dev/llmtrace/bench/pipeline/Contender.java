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

    static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
