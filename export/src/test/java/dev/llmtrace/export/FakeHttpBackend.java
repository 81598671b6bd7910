package dev.llmtrace.export;

import com.sun.net.httpserver.HttpServer;
import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.Hex;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/** A real HTTP server (the JDK's) in a backend's place: records every request and answers as scripted. */
final class FakeHttpBackend implements AutoCloseable {

    record Request(long atNanos, int status, String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        /** The body decoded as the OTLP request it carries (gzip and JSON undone). */
        ExportTraceServiceRequest decoded() {
            try {
                byte[] plain = "gzip".equals(header("Content-Encoding")) ? BoundedGzip.gunzip(body, 64 << 20) : body;
                return "application/json".equals(header("Content-Type"))
                        ? OtlpJson.parseTraces(plain) : ExportTraceServiceRequest.parseFrom(plain);
            } catch (Exception e) {
                throw new AssertionError("undecodable body", e);
            }
        }

        List<String> spanIds() {
            List<String> ids = new ArrayList<>();
            decoded().getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
                    ss.getSpansList().forEach(s -> ids.add(Hex.encode(s.getSpanId())))));
            return ids;
        }
    }

    /** An answer: status, optional Retry-After, optional delay before answering. */
    record Answer(int status, String retryAfter, long delayMillis, byte[] body) {
        static final Answer OK = new Answer(200, null, 0);

        Answer(int status, String retryAfter, long delayMillis) {
            this(status, retryAfter, delayMillis, null);
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
    private volatile IntFunction<Answer> script = attempt -> Answer.OK;
    private final HttpServer server;

    FakeHttpBackend(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            long at = System.nanoTime();
            Answer answer = script.apply(attempts.incrementAndGet());
            requests.add(new Request(at, answer.status(), exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestBody().readAllBytes()));
            if (answer.delayMillis() > 0) {
                try {
                    Thread.sleep(answer.delayMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
            }
            if (answer.body() != null) {
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(answer.status(), answer.body().length);
                exchange.getResponseBody().write(answer.body());
            } else {
                exchange.sendResponseHeaders(answer.status(), -1);
            }
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code script} gets the 1-based number of the request and says how to answer it. */
    void answer(IntFunction<Answer> script) {
        this.script = script;
    }

    /** Span ids of every request answered 2xx, duplicates kept. */
    List<String> spanIds() {
        List<String> ids = new ArrayList<>();
        requests.stream().filter(r -> r.status() / 100 == 2).forEach(r -> ids.addAll(r.spanIds()));
        return ids;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
