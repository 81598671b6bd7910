package dev.llmtrace.core.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The OTLP/HTTP retry table: what is retried, what is final, and how long a server asked us to wait. */
class HttpErrorsTest {
    @Test
    void onlyTheSpecsStatusesAreRetried() {
        for (int status : new int[] {429, 502, 503, 504}) {
            ExportException e = HttpErrors.classify(status, null);
            assertTrue(e.isRetryable(), "HTTP " + status);
            assertEquals("http_" + status, e.reason());
        }
        for (int status : new int[] {400, 401, 403, 404, 405, 413, 415, 500, 501}) {
            ExportException e = HttpErrors.classify(status, "5");
            assertFalse(e.isRetryable(), "HTTP " + status + " is final, Retry-After or not");
            assertEquals("http_" + status, e.reason());
        }
    }

    @Test
    void retryAfterIsHonouredOn429And503Only() {
        assertEquals(Optional.of(Duration.ofSeconds(7)), HttpErrors.classify(429, "7").retryAfter());
        assertEquals(Optional.of(Duration.ofSeconds(7)), HttpErrors.classify(503, " 7 ").retryAfter());
        assertEquals(Optional.empty(), HttpErrors.classify(502, "7").retryAfter(), "502 has no Retry-After in the spec");
        assertEquals(Optional.empty(), HttpErrors.classify(503, null).retryAfter());
    }

    @Test
    void retryAfterAsSecondsOrHttpDate() {
        assertEquals(Duration.ZERO, HttpErrors.parseRetryAfter("0"));
        assertNull(HttpErrors.parseRetryAfter("-3"), "negative: ignored");
        assertNull(HttpErrors.parseRetryAfter("soon"), "unreadable: ignored");
        assertNull(HttpErrors.parseRetryAfter(""));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(60));
        Duration d = HttpErrors.parseRetryAfter(inAMinute);
        assertTrue(d.compareTo(Duration.ofSeconds(55)) > 0 && d.compareTo(Duration.ofSeconds(61)) <= 0, d.toString());
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().minusHours(1));
        assertEquals(Duration.ZERO, HttpErrors.parseRetryAfter(past), "a date in the past: retry now");
    }
}
