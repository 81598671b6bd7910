package dev.llmtrace.core.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import dev.llmtrace.core.retry.ExportException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** The OTLP table of retryable gRPC codes, and conversions between gRPC statuses and {@link ExportException}. */
public final class GrpcErrors {

    /** OTLP spec: retryable codes. RESOURCE_EXHAUSTED only when the server sent RetryInfo. */
    private static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE, Status.Code.DATA_LOSS);

    private GrpcErrors() {}

    /** Sorts a failed call into retryable or permanent. */
    public static ExportException classify(Throwable error) {
        Status status = Status.fromThrowable(error);
        String reason = status.getCode().name().toLowerCase(Locale.ROOT);
        String message = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        Duration retryDelay = retryDelay(error);
        if (RETRYABLE.contains(status.getCode())) {
            return ExportException.retryable(reason, message, retryDelay);
        }
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED && retryDelay != null) {
            return ExportException.retryable(reason, message, retryDelay);
        }
        return ExportException.permanent(reason, message);
    }

    /**
     * Sorts a failed call between two of our own hops. Only INVALID_ARGUMENT is permanent there (it is
     * how a hop says "the data can never be delivered"); anything else, INTERNAL from a stream reset by a
     * stopping server included, is the next hop being away, and retrying loses nothing. OpenRouter
     * does not retry, so this is where an outage must be absorbed.
     */
    public static ExportException classifyBetweenHops(Throwable error) {
        ExportException otlp = classify(error);
        if (otlp.isRetryable() || Status.fromThrowable(error).getCode() == Status.Code.INVALID_ARGUMENT) {
            return otlp;
        }
        return ExportException.retryable(otlp.reason(), otlp.getMessage(), retryDelay(error));
    }

    /** The delay of a RetryInfo detail in the error's trailers, or null. */
    static Duration retryDelay(Throwable error) {
        com.google.rpc.Status details = StatusProto.fromThrowable(error);
        if (details == null) {
            return null;
        }
        for (Any any : details.getDetailsList()) {
            if (any.is(RetryInfo.class)) {
                try {
                    com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
                    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
                } catch (InvalidProtocolBufferException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** A RESOURCE_EXHAUSTED error carrying RetryInfo, which OTLP clients take as "retry after". */
    public static StatusRuntimeException resourceExhausted(String message, Duration retryAfter) {
        return withRetryInfo(Status.Code.RESOURCE_EXHAUSTED, message, retryAfter);
    }

    /**
     * How a hop answers its caller when the next hop failed: retryable errors become UNAVAILABLE (with
     * the downstream's delay, if any) so the caller retries; permanent ones INVALID_ARGUMENT, as the
     * Collector's receivers do.
     */
    public static StatusRuntimeException toStatus(ExportException failure) {
        if (failure.isRetryable()) {
            return failure.retryAfter()
                    .map(d -> withRetryInfo(Status.Code.UNAVAILABLE, "downstream: " + failure.getMessage(), d))
                    .orElseGet(() -> Status.UNAVAILABLE.withDescription("downstream: " + failure.getMessage())
                            .asRuntimeException());
        }
        return Status.INVALID_ARGUMENT.withDescription("downstream: " + failure.getMessage()).asRuntimeException();
    }

    private static StatusRuntimeException withRetryInfo(Status.Code code, String message, Duration retryAfter) {
        RetryInfo info = RetryInfo.newBuilder()
                .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(retryAfter.getSeconds()).setNanos(retryAfter.getNano()))
                .build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message)
                .addDetails(Any.pack(info))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }
}
