package dev.llmtrace.core.otlp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** OTLP/JSON's 64-bit integers, which may come as numbers or strings, in any notation JSON allows. */
class OtlpJsonIntegersTest {

    static Stream<Arguments> integers() {
        return Stream.of(
                Arguments.of("\"1e3\"", 1000L),
                Arguments.of("1e3", 1000L),
                Arguments.of("\"1.50e1\"", 15L),
                Arguments.of("-0.0", 0L),
                Arguments.of("\"0e-100000000\"", 0L),
                Arguments.of("\"-9223372036854775808\"", Long.MIN_VALUE),
                Arguments.of("\"9.223372036854775807e18\"", Long.MAX_VALUE),
                Arguments.of("\"  00000000000000000000000042 \"", 42L));
    }

    @ParameterizedTest
    @MethodSource("integers")
    void integerNotationsAreRead(String json, long expected) {
        assertEquals(expected, intAttribute(json));
    }

    /**
     * Each was minutes of CPU on the receiving thread (a hundred-million-digit number built to check a few
     * bytes), or seconds (a million digits parsed), and is now a prompt 400.
     */
    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("\"1e100000000\"", "integer out of range"),
                Arguments.of("1e100000000", "integer out of range"),
                Arguments.of("\"1e-100000000\"", "expected an integer"),
                Arguments.of("\"-1e-100000000\"", "expected an integer"),
                Arguments.of("\"" + "1".repeat(1_000_000) + "\"", "expected an integer"),
                Arguments.of("\"0." + "0".repeat(990) + "1\"", "expected an integer"),
                Arguments.of("\"1.5\"", "expected an integer"),
                Arguments.of("\"9223372036854775808\"", "integer out of range"),
                Arguments.of("\"1e19\"", "integer out of range"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void hugeExponentsAndDigitStringsAreRefusedAtOnce(String json, String problem) {
        long started = System.nanoTime();
        OtlpJsonException e = assertThrows(OtlpJsonException.class, () -> intAttribute(json));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(e.getMessage().startsWith(problem), e.getMessage());
        assertTrue(e.getMessage().length() < 200, "the value is not echoed");
        assertTrue(millis < 2_000, "refused in " + millis + " ms");
    }

    @ParameterizedTest
    @MethodSource("refused")
    void unsignedFieldsRefuseThemToo(String json, String problem) {
        if (json.startsWith("\"9223372036854775808") || json.startsWith("\"1e19")) {
            return; // in range for an unsigned 64-bit field
        }
        OtlpJsonException e = assertThrows(OtlpJsonException.class, () -> startTime(json));
        assertTrue(e.getMessage().startsWith(problem), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("integers")
    void unsignedFieldsReadTheSameNotations(String json, long expected) {
        if (expected >= 0) {
            assertEquals(expected, startTime(json));
        }
    }

    private static long intAttribute(String value) {
        return span("\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":" + value + "}}]")
                .getAttributes(0).getValue().getIntValue();
    }

    private static long startTime(String value) {
        return span("\"startTimeUnixNano\":" + value).getStartTimeUnixNano();
    }

    private static Span span(String field) {
        String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"n\"," + field + "}]}]}]}";
        ExportTraceServiceRequest request = OtlpJson.parseTraces(json.getBytes(UTF_8));
        return request.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    }
}
