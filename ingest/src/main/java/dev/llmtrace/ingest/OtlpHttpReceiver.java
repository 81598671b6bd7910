package dev.llmtrace.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import dev.llmtrace.core.memory.MemoryBudget;
import dev.llmtrace.core.metrics.PipelineMetrics;
import dev.llmtrace.core.otlp.BoundedGzip;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.otlp.OtlpJsonException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.Optional;
import io.smallrye.common.annotation.Identifier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * OTLP/HTTP {@code POST /v1/traces}, protobuf or JSON, plain or gzip, answered in the request's
 * encoding with the statuses the OTLP spec and the Collector use. Errors carry a {@code google.rpc.Status}
 * body whose message names the problem and never echoes the payload or a credential.
 */
@ApplicationScoped
public class OtlpHttpReceiver {
    static final String PATH = "/v1/traces";
    static final String PROTOBUF = "application/x-protobuf";
    static final String JSON = "application/json";

    private final TraceIntake intake;
    private final TokenAuthenticator authenticator;
    private final PipelineMetrics metrics;
    private final IngestConfig config;
    private final RequestMemory memory;
    private final Vertx vertx;
    /** HTTP/2 bodies in progress: the connection's idle timeout does not end one that stops while others keep it busy. */
    private final StalledStreams stalledStreams;

    public OtlpHttpReceiver(TraceIntake intake, TokenAuthenticator authenticator, @Identifier("ingest") PipelineMetrics metrics, IngestConfig config,
            RequestMemory memory, Vertx vertx, @ConfigProperty(name = "quarkus.http.idle-timeout", defaultValue = "30M") Duration idleTimeout) {
        this.memory = memory;
        this.vertx = vertx;
        this.stalledStreams = new StalledStreams(idleTimeout);
        this.intake = intake;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.config = config;
    }

    void routes(@Observes Router router) {
        router.route(PATH).handler(this::handle);
        vertx.setPeriodic(stalledStreams.sweepEveryMillis(), tick -> stalledStreams.sweep(System.nanoTime()));
    }

    /** A request refused before its spans could be accepted. */
    private record Refusal(int httpStatus, Code code, String reason, String message) {}

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Optional<String> type = mediaType(request.getHeader(HttpHeaders.CONTENT_TYPE));
        boolean json = type.map(JSON::equals).orElse(true); // errors for unknown types are answered in JSON
        if (request.method() != HttpMethod.POST) {
            ctx.response().putHeader(HttpHeaders.ALLOW, "POST");
            refuse(ctx, json, new Refusal(405, Code.UNIMPLEMENTED, "method_not_allowed",
                    "method " + request.method() + " is not allowed on " + PATH + "; use POST"));
            return;
        }
        Optional<String> authenticated = authenticator.tenantFor(request.getHeader(HttpHeaders.AUTHORIZATION));
        if (authenticated.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            refuse(ctx, json, new Refusal(401, Code.UNAUTHENTICATED, "unauthenticated", "missing or invalid bearer token"));
            return;
        }
        String tenant = authenticated.get();
        if (type.isEmpty() || !(type.get().equals(JSON) || type.get().equals(PROTOBUF))) {
            refuse(ctx, true, new Refusal(415, Code.INVALID_ARGUMENT, "unsupported_media_type",
                    "unsupported Content-Type; use " + PROTOBUF + " or " + JSON));
            return;
        }
        String encoding = Optional.ofNullable(request.getHeader(HttpHeaders.CONTENT_ENCODING))
                .map(e -> e.trim().toLowerCase(Locale.ROOT)).orElse("identity");
        if (!encoding.equals("gzip") && !encoding.equals("identity") && !encoding.isEmpty()) {
            refuse(ctx, json, new Refusal(415, Code.INVALID_ARGUMENT, "unsupported_encoding",
                    "unsupported Content-Encoding; use gzip or none"));
            return;
        }
        readBody(ctx, json, encoding.equals("gzip"), tenant);
    }

    /**
     * Reads the body up to the limit; past it, keeps draining (up to a hard cap) so the client sees the 413.
     * Memory is charged before it is taken: the declared length up front, or each chunk as it comes.
     * A body that does not fit the budget is drained unread and answered 503.
     */
    private void readBody(RoutingContext ctx, boolean json, boolean gzip, String tenant) {
        HttpServerRequest request = ctx.request();
        int limit = config.limits().maxHttpBodyBytes();
        long hardCap = 4L * limit;
        int factor = gzip ? 1 : RequestMemory.DECODE_FACTOR; // an inflated body is charged while inflating
        MemoryBudget.Lease lease = memory.lease(tenant);
        long declared = contentLength(request);
        // a body that can never fit one tenant's share is answered 413 (waiting would not help), else 503
        boolean[] neverFits = {declared > 0 && !lease.couldEverGrow(declared * factor)};
        boolean[] overBudget = {neverFits[0] || (declared > 0 && declared <= limit && !lease.grow(declared * factor))};
        Buffer body = Buffer.buffer();
        long[] received = {0};
        boolean[] finished = {false};
        StalledStreams.Body watched = request.version() == HttpVersion.HTTP_2 ? watchForStall(ctx, finished, lease) : StalledStreams.NOT_WATCHED;
        request.handler(chunk -> {
            received[0] += chunk.length();
            watched.received(received[0]);
            if (received[0] <= limit && !overBudget[0]) {
                if (declared < 0 && !lease.grow((long) chunk.length() * factor)) {
                    overBudget[0] = true; // chunked: charged as it arrives
                    neverFits[0] = !lease.couldEverGrow((long) chunk.length() * factor);
                    return;
                }
                body.appendBuffer(chunk);
            } else if (received[0] > hardCap && !finished[0]) {
                finished[0] = true;
                lease.close();
                refuse(ctx, json, tooLarge(limit));
                watched.done();
                // HTTP/2: the 413, then RST_STREAM(NO_ERROR) stops this upload alone (RFC 9113 8.1); HTTP/1.1 can only close
                if (request.version() != HttpVersion.HTTP_2 || !ctx.response().reset(HTTP2_NO_ERROR)) {
                    request.connection().close();
                }
            }
        });
        request.exceptionHandler(e -> {
            finished[0] = true;
            lease.close();
            watched.done();
        });
        request.endHandler(v -> {
            watched.done();
            if (finished[0]) {
                return;
            }
            if (received[0] > limit || overBudget[0]) {
                lease.close();
                refuse(ctx, json, received[0] > limit ? tooLarge(limit) : neverFits[0] ? tooLargeForMemory() : MEMORY_FULL);
                return;
            }
            io.vertx.core.Context context = ctx.vertx().getOrCreateContext();
            ctx.vertx().<Object>executeBlocking(() -> decodeAndAccept(body.getBytes(), json, gzip, tenant, lease, ctx), false)
                    .compose(decoded -> decoded instanceof CompletableFuture<?> waiting // for room in the buffer: no thread held
                            ? Future.<Object>fromCompletionStage(waiting.thenApply(Object.class::cast), context)
                            : Future.succeededFuture(decoded))
                    .onComplete(done -> {
                        lease.close();
                        if (done.failed()) {
                            refuse(ctx, json, new Refusal(500, Code.INTERNAL, "internal", "internal error"));
                        } else if (done.result() instanceof Refusal refusal) {
                            refuse(ctx, json, refusal);
                        } else {
                            respond(ctx, 200, json, (Message) done.result());
                        }
                    });
        });
        request.resume();
    }

    /**
     * An HTTP/2 body that gets no byte for the idle timeout has its stream reset (CANCEL) and its memory given back,
     * on the thread that reads it; the connection and its other streams go on.
     */
    private StalledStreams.Body watchForStall(RoutingContext ctx, boolean[] finished, MemoryBudget.Lease lease) {
        io.vertx.core.Context reader = vertx.getOrCreateContext();
        return stalledStreams.watch(() -> reader.runOnContext(v -> {
            if (!finished[0]) {
                finished[0] = true;
                lease.close();
                metrics.rejected("body_stalled", 0);
                ctx.response().reset(HTTP2_CANCEL);
            }
        }));
    }

    private static final long HTTP2_NO_ERROR = 0x0;
    private static final long HTTP2_CANCEL = 0x8;

    private static long contentLength(HttpServerRequest request) {
        try {
            String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // the HTTP server itself refuses a malformed length
        }
    }

    /** Runs on a worker thread: decompression and parsing are CPU work of up to the body limit. */
    private Object decodeAndAccept(byte[] raw, boolean json, boolean gzip, String tenant, MemoryBudget.Lease lease, RoutingContext ctx) {
        int limit = config.limits().maxHttpBodyBytes();
        byte[] bytes;
        boolean[] neverFits = {false};
        try {
            bytes = gzip ? BoundedGzip.gunzip(raw, limit, n -> {
                neverFits[0] = !lease.couldEverGrow(n * RequestMemory.INFLATE_FACTOR);
                return lease.grow(n * RequestMemory.INFLATE_FACTOR);
            }) : raw;
        } catch (BoundedGzip.TooLargeException e) {
            return tooLarge(limit);
        } catch (BoundedGzip.RefusedException e) {
            return neverFits[0] ? tooLargeForMemory() : MEMORY_FULL;
        } catch (IllegalArgumentException e) {
            return new Refusal(400, Code.INVALID_ARGUMENT, "malformed", e.getMessage());
        }
        CompletableFuture<ExportTraceServiceResponse> answer;
        try {
            answer = json ? intake.accept(OtlpJson.tracesToProtobuf(bytes), tenant, "http_json", ctx.response()::closed)
                    : intake.accept(bytes, tenant, "http_protobuf", ctx.response()::closed);
        } catch (OtlpJsonException e) {
            return new Refusal(400, Code.INVALID_ARGUMENT, "malformed", "invalid OTLP/JSON: " + e.getMessage());
        } catch (InvalidProtocolBufferException e) {
            return new Refusal(400, Code.INVALID_ARGUMENT, "malformed", "invalid OTLP protobuf: " + e.getMessage());
        }
        CompletableFuture<Object> answered = answer.handle((response, error) -> {
            if (error == null) {
                return response;
            }
            TraceIntake.BufferFullException full = TraceIntake.BufferFullException.in(error);
            if (full == null) {
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            return new Refusal(503, Code.UNAVAILABLE, null, full.getMessage()); // counted by the intake
        });
        return answered.isDone() ? answered.join() : answered; // taken at once (nearly always): no hop back to the event loop
    }

    private static final Refusal MEMORY_FULL = new Refusal(503, Code.UNAVAILABLE, "memory_full",
            "ingest is at its memory limit for requests in flight, retry later");

    private Refusal tooLargeForMemory() {
        return new Refusal(413, Code.INVALID_ARGUMENT, "too_large",
                "body needs more memory to decode than ingest.memory allows one tenant; send smaller requests");
    }

    private Refusal tooLarge(int limit) {
        return new Refusal(413, Code.INVALID_ARGUMENT, "too_large",
                "body exceeds the limit of " + limit + " bytes (after decompression)");
    }

    private void refuse(RoutingContext ctx, boolean json, Refusal refusal) {
        if (refusal.reason() != null) {
            metrics.rejected(refusal.reason(), 0);
        }
        if (refusal.httpStatus() == 503) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, config.buffer().retryAfter().toSeconds())));
        }
        respond(ctx, refusal.httpStatus(), json, com.google.rpc.Status.newBuilder()
                .setCode(refusal.code().getNumber())
                .setMessage(refusal.message())
                .build());
    }

    private static final byte[] EMPTY_JSON_OBJECT = {'{', '}'};

    private static void respond(RoutingContext ctx, int status, boolean json, Message body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        // every span accepted (nearly every answer) needs no JSON generator
        byte[] bytes = !json ? body.toByteArray()
                : body == ExportTraceServiceResponse.getDefaultInstance() ? EMPTY_JSON_OBJECT : OtlpJson.toJson(body);
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, json ? JSON : PROTOBUF)
                .end(Buffer.buffer(bytes));
    }

    /** The media type without parameters, lower-cased ("application/json; charset=utf-8" is JSON). */
    static Optional<String> mediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return Optional.of(type);
    }
}
