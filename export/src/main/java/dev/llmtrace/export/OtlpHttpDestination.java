package dev.llmtrace.export;

import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.retry.ExportException;
import dev.llmtrace.core.retry.HttpErrors;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** An OTLP/HTTP protobuf backend, through the JDK's HTTP client (no extra dependency). */
final class OtlpHttpDestination implements Destination {
    private final String name;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final boolean gzip;
    private final HttpClient client;

    OtlpHttpDestination(String name, URI endpoint, Map<String, String> headers, Duration timeout, boolean gzip) {
        this.name = name;
        this.endpoint = endpoint;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.gzip = gzip;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<Void> send(ExportTraceServiceRequest request, String tenant) {
        byte[] body = request.toByteArray();
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/x-protobuf");
        if (gzip) {
            body = BoundedGzip.gzip(body);
            builder.header("Content-Encoding", "gzip");
        }
        headers.forEach(builder::header);
        return client.sendAsync(builder.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.discarding())
                .handle((response, error) -> {
                    if (error != null) {
                        throw ExportException.retryable("transport", "HTTP request failed: " + error.getClass().getSimpleName(), error);
                    }
                    if (response.statusCode() / 100 != 2) {
                        throw HttpErrors.classify(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null));
                    }
                    return null;
                });
    }
}
