package dev.llmtrace.core.retry;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The OTLP/HTTP table of retryable statuses and the parsing of {@code Retry-After}. */
public final class HttpErrors {
    private HttpErrors() {}

    /** Sorts a non-2xx answer: 429, 502, 503 and 504 are retryable, everything else permanent. */
    public static ExportException classify(int status, String retryAfterHeader) {
        String reason = "http_" + status;
        String message = "HTTP " + status;
        return switch (status) {
            case 429, 503 -> ExportException.retryable(reason, message, parseRetryAfter(retryAfterHeader));
            case 502, 504 -> ExportException.retryable(reason, message, (Duration) null);
            default -> ExportException.permanent(reason, message);
        };
    }

    /** {@code Retry-After} as delta-seconds or an HTTP date; null when absent or unreadable. */
    public static Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
