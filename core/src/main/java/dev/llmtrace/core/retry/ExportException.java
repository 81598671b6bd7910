package dev.llmtrace.core.retry;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed export attempt, sorted the way OTLP sorts them: retryable (optionally with the server's
 * requested delay) or permanent. {@code reason} is a short, low-cardinality label for metrics.
 */
public final class ExportException extends RuntimeException {
    private final boolean retryable;
    private final Duration retryAfter;
    private final String reason;

    private ExportException(String reason, String message, boolean retryable, Duration retryAfter, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public static ExportException retryable(String reason, String message, Duration retryAfter) {
        return new ExportException(reason, message, true, retryAfter, null);
    }

    public static ExportException retryable(String reason, String message, Throwable cause) {
        return new ExportException(reason, message, true, null, cause);
    }

    public static ExportException permanent(String reason, String message) {
        return new ExportException(reason, message, false, null, null);
    }

    public boolean isRetryable() {
        return retryable;
    }

    /** The delay the server asked for (HTTP Retry-After, gRPC RetryInfo), if any. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public String reason() {
        return reason;
    }

    /** Any failure as an ExportException: unknown errors (a dropped connection, say) are retryable. */
    public static ExportException of(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ExportException e) {
            return e;
        }
        return retryable("transport", String.valueOf(cause.getMessage()), cause);
    }
}
