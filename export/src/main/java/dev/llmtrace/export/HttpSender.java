package dev.llmtrace.export;

import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.retry.ExportException;
import dev.llmtrace.core.retry.HttpErrors;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** OTLP/HTTP (protobuf or JSON) to a backend, with the JDK's HTTP client. */
final class HttpSender implements Sender {
    private final DestinationSpec spec;
    private final HttpClient client;
    private final String contentType;

    HttpSender(DestinationSpec spec) {
        this.spec = spec;
        this.contentType = spec.encoding() == ExportConfig.Encoding.JSON ? "application/json" : "application/x-protobuf";
        // HTTP/1.1 on plain http://: the JDK client would otherwise try an h2c upgrade on every request,
        // which OTLP receivers such as Phoenix's log as "Unsupported upgrade request"; https negotiates h2 by ALPN
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(spec.timeout())
                .version("http".equalsIgnoreCase(spec.url().getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2);
        if (spec.tls().insecureSkipVerify() || spec.tls().caFile().isPresent()) {
            builder.sslContext(sslContext(spec));
        }
        this.client = builder.build();
    }

    private static SSLContext sslContext(DestinationSpec spec) {
        try {
            TrustManager[] trust;
            if (spec.tls().insecureSkipVerify()) {
                trust = new TrustManager[] {TrustAll.INSTANCE};
            } else {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                try (InputStream in = Files.newInputStream(spec.tls().caFile().get())) {
                    int i = 0;
                    for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("ca-" + i++, cert);
                    }
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("export.destinations." + spec.name() + ".tls: " + e.getMessage(), e);
        }
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
        HttpRequest.Builder request = HttpRequest.newBuilder(spec.url()).timeout(spec.timeout())
                .header("Content-Type", contentType);
        byte[] wire = body;
        if (spec.gzip()) {
            Compressed c = retried;
            if (c == null || c.body() != body) { // a retry hands the very same array: compress each batch once
                c = new Compressed(body, BoundedGzip.gzip(body));
                retried = c;
            }
            wire = c.gzip();
            request.header("Content-Encoding", "gzip");
        }
        spec.headers().forEach(request::header);
        spec.tenantValue(tenant).ifPresent(v -> request.header(spec.tenantHeader().get(), v));
        return client.sendAsync(request.POST(HttpRequest.BodyPublishers.ofByteArray(wire)).build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        throw ExportException.retryable(cause instanceof java.net.http.HttpTimeoutException ? "timeout" : "transport",
                                "HTTP request failed: " + cause.getClass().getSimpleName(), cause);
                    }
                    if (response.statusCode() == 415) { // permanent, and the log line should say what to change
                        throw ExportException.permanent("unsupported_media_type", "HTTP 415: the backend does not take "
                                + contentType + "; set export.destinations." + spec.name() + ".encoding="
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
