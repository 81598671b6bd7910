package dev.llmtrace.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One packaged service (target/quarkus-app) run as its own JVM process, as a user runs it. */
final class ServiceProcess implements AutoCloseable {
    static final String HEAP = "256m";
    /** The flags every Dockerfile.jvm and run-local.sh ship (bench/RESULTS.md, "Lean JVM defaults"). */
    static final List<String> SHIPPED_JVM_FLAGS = List.of("-Xms96m", "-Xmn64m", "-XX:+UseSerialGC",
            "-XX:ReservedCodeCacheSize=48m", "-XX:MaxMetaspaceSize=128m", "-Xss512k",
            "-Djdk.nio.maxCachedBufferSize=262144", "-XX:+UnlockDiagnosticVMOptions", "-XX:GCLockerRetryAllocationCount=100");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String module;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private final int managementPort;
    private final Path logDir;
    private Process process;
    private int starts;

    ServiceProcess(String module, Map<String, String> properties, Map<String, String> environment, int managementPort, Path logDir) {
        this.module = module;
        this.properties = properties;
        this.environment = environment;
        this.managementPort = managementPort;
        this.logDir = logDir;
    }

    static Path repoRoot() {
        String root = System.getProperty("llmtrace.repo.root");
        return root != null ? Path.of(root) : Path.of("..").toAbsolutePath().normalize();
    }

    int managementPort() {
        return managementPort;
    }

    /** A setting this process was started with. */
    String property(String key) {
        return properties.get(key);
    }

    Path log() {
        return logDir.resolve(module + "-" + starts + ".log");
    }

    ServiceProcess start() {
        Path jar = repoRoot().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the e2e tests run after `mvnw verify` packaged the services");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + HEAP); // what the images give the JVM: half of a 512Mi container
        command.addAll(SHIPPED_JVM_FLAGS);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(jar.toString());
        starts++;
        try {
            Files.createDirectories(logDir);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log().toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Waits until /q/health/ready answers 200; fails with the log's tail if the process dies or hangs. */
    ServiceProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(200);
        }
        throw new IllegalStateException(module + " not ready within " + timeout + ":\n" + tail());
    }

    /** For processes expected to refuse to start: waits for the exit and returns its code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(module + " kept running:\n" + tail());
        }
        return process.exitValue();
    }

    /** The running process's id. */
    long pid() {
        return process.pid();
    }

    String metrics() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the process stays, holds its connections and answers nothing (a stalled hop). */
    void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM and wait: the graceful stop a Kubernetes rollout does. */
    void stop() {
        if (process != null) {
            stop(process, Duration.ofSeconds(30));
        }
    }

    /** SIGTERM, wait up to {@code grace}, then SIGKILL. */
    static void stop(Process process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String tail() {
        return tail(log(), 40);
    }

    /** The last {@code count} lines of a process log, for failure messages. */
    static String tail(Path log, int count) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
