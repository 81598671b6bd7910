package dev.llmtrace.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A peer program we did not write (the Collector, telemetrygen, a Python client) run as a process with its own log. */
final class PeerProcess implements AutoCloseable {
    private final String name;
    private final Path log;
    private final Process process;

    private PeerProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static PeerProcess start(String name, List<String> command, Map<String, String> environment, Path logDir) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            return new PeerProcess(name, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the peer accepts TCP connections on {@code port}; fails with its log if it dies first. */
    PeerProcess awaitListening(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException e) {
                ServiceProcess.sleep(100);
            }
        }
        throw new IllegalStateException(name + " not listening on " + port + " within " + timeout + ":\n" + log());
    }

    /** Waits for a run-to-completion peer (a load generator, a client script) and returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(name + " still running after " + timeout + ":\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return process.exitValue();
    }

    String log() {
        return ServiceProcess.tail(log, 60);
    }

    @Override
    public void close() {
        ServiceProcess.stop(process, Duration.ofSeconds(15));
    }
}
