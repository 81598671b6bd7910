package dev.llmtrace.export;

import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.retry.ExportException;
import dev.llmtrace.core.retry.HttpErrors;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/** OTLP/HTTP (protobuf or JSON) to a backend, with the JDK's HTTP client. */
final class HttpSender implements Sender {
    private final OtlpEndpoint endpoint;
    private final HttpClient client;
    private final String contentType;

    HttpSender(OtlpEndpoint endpoint) {
        this.endpoint = endpoint;
        this.contentType = endpoint.encoding() == ExportConfig.Encoding.JSON ? "application/json" : "application/x-protobuf";
        // HTTP/1.1 on plain http://: the JDK client would otherwise try an h2c upgrade on every request,
        // which OTLP receivers such as Phoenix's log as "Unsupported upgrade request"; https negotiates h2 by ALPN
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(endpoint.timeout())
                .version("http".equalsIgnoreCase(endpoint.url().getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2);
        if (endpoint.trust() != null) {
            try {
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, endpoint.trust(), null);
                builder.sslContext(context);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("export.destinations." + endpoint.destination() + ".tls: " + e.getMessage(), e);
            }
        }
        this.client = builder.build();
    }

    /** A batch and its gzip form, kept while the batch may be retried. */
    private record Compressed(byte[] body, byte[] gzip) {}

    private volatile Compressed retried;

    /** Delivered: no retry will want this batch's compressed form, and it should not outlive the queue's copy. */
    private void forget(byte[] body) {
        Compressed c = retried;
        if (c != null && c.body() == body) {
            retried = null;
        }
    }

    @Override
    public CompletableFuture<Result> send(byte[] body, String tenant) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint.url()).timeout(endpoint.timeout())
                .header("Content-Type", contentType);
        byte[] wire = body;
        if (endpoint.gzip()) {
            Compressed c = retried;
            if (c == null || c.body() != body) { // a retry hands the very same array: compress each batch once
                c = new Compressed(body, BoundedGzip.gzip(body));
                retried = c;
            }
            wire = c.gzip();
            request.header("Content-Encoding", "gzip");
        }
        endpoint.headers().forEach(request::header);
        endpoint.tenantValue(tenant).ifPresent(v -> request.header(endpoint.tenantHeader().get(), v));
        return client.sendAsync(request.POST(HttpRequest.BodyPublishers.ofByteArray(wire)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        throw ExportException.retryable(cause instanceof java.net.http.HttpTimeoutException ? "timeout" : "transport",
                                "HTTP request failed: " + cause.getClass().getSimpleName(), cause);
                    }
                    if (response.statusCode() == 415) { // permanent, and the log line should say what to change
                        throw ExportException.permanent("unsupported_media_type", "HTTP 415: the backend does not take "
                                + contentType + "; set export.destinations." + endpoint.destination() + ".encoding="
                                + (contentType.equals("application/json") ? "protobuf" : "json"));
                    }
                    if (response.statusCode() / 100 != 2) {
                        throw HttpErrors.classify(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null));
                    }
                    forget(body);
                    return partialSuccess(response.body());
                });
    }

    private Result partialSuccess(byte[] body) {
        if (body == null || body.length == 0) {
            return Result.OK;
        }
        try {
            ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
            if (contentType.equals("application/json")) {
                OtlpJson.merge(body, response);
            } else {
                response.mergeFrom(body);
            }
            return new Result(response.getPartialSuccess().getRejectedSpans(), response.getPartialSuccess().getErrorMessage());
        } catch (Exception unreadable) {
            return Result.OK; // a 2xx with a body we cannot read still means delivered
        }
    }
}
