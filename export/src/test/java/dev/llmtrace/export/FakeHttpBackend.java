package dev.llmtrace.export;

import com.sun.net.httpserver.HttpServer;
import dev.llmtrace.core.FreePorts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server in a backend's place (the JDK's own), recording each request. */
public class FakeHttpBackend implements QuarkusTestResourceLifecycleManager {
    record Request(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }
    }

    static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();
    /** The status the next requests get (200 by default). */
    static final AtomicInteger STATUS = new AtomicInteger(200);
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        int port = FreePorts.next();
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            REQUESTS.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(STATUS.get(), -1);
            exchange.close();
        });
        server.start();
        return Map.of("export.destination.endpoint", "http://127.0.0.1:" + port + "/v1/traces",
                "export.destination.protocol", "http-protobuf",
                "export.destination.headers.\"Authorization\"", "Bearer backend-secret",
                "export.sink.enabled", "false");
    }

    @Override
    public void stop() {
        server.stop(0);
    }
}
