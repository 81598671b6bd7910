package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.Bytes;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.llmtrace.core.Fixtures;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpWireTest {

    static java.util.List<String> fixtures() {
        return Fixtures.WITH_SPANS;
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void countsTheSpansOfEveryFixture(String fixture) {
        ExportTraceServiceRequest request = OtlpJson.parseTraces(Fixtures.bytes(fixture));
        assertEquals(Spans.count(request), OtlpWire.cleanSpanCount(request.toByteArray()));
    }

    @Test
    void aSpanTheValidatorRejectsIsNotClean() {
        assertEquals(-1, scan(s -> s.setTraceId(ByteString.copyFrom(new byte[16]))));
        assertEquals(-1, scan(s -> s.setTraceId(ByteString.copyFrom(new byte[15]))));
        assertEquals(-1, scan(s -> s.setSpanId(ByteString.copyFrom(new byte[8]))));
        assertEquals(-1, scan(s -> s.clearSpanId()));
        assertEquals(-1, scan(s -> s.setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3}))));
        assertEquals(1, scan(s -> s.clearParentSpanId()));
        assertEquals(1, scan(s -> s.setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))));
    }

    @Test
    void invalidUtf8InANestedStringIsNotCleanAndTheParserAgrees() {
        ExportTraceServiceRequest request = request(s -> s.addAttributes(KeyValue.newBuilder().setKey("k")
                .setValue(AnyValue.newBuilder().setStringValue("\u00e9\u00e9\u00e9\u00e9"))));
        byte[] bytes = request.toByteArray();
        byte[] marker = "\u00e9\u00e9\u00e9\u00e9".getBytes(StandardCharsets.UTF_8);
        int at = Bytes.indexOf(bytes, marker);
        assertTrue(at >= 0, "the marker is in the serialized request");
        bytes[at + 1] = 0x28; // 0xC3 0x28: a lead byte without its continuation
        assertEquals(-1, OtlpWire.cleanSpanCount(bytes));
        assertThrows(InvalidProtocolBufferException.class, () -> ExportTraceServiceRequest.parseFrom(bytes));
    }

    @Test
    void truncatedOrGarbageIsNotClean() {
        byte[] bytes = request(s -> s).toByteArray();
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            int scanned = OtlpWire.cleanSpanCount(truncated);
            assertTrue(scanned <= 0 || parses(truncated), "cut at " + cut);
        }
        assertEquals(-1, OtlpWire.cleanSpanCount(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));
        assertEquals(0, OtlpWire.cleanSpanCount(new byte[0]));
    }

    /** The promise the hops rely on: clean means the parser takes it and the validator keeps every span. */
    @Test
    void whateverIsCleanParsesAndValidatesWithTheSameCount() throws Exception {
        Random random = new Random(42);
        byte[] original = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)).toByteArray();
        int clean = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] mutated = original.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            int scanned = OtlpWire.cleanSpanCount(mutated);
            ExportTraceServiceRequest parsed;
            try {
                parsed = ExportTraceServiceRequest.parseFrom(mutated);
            } catch (InvalidProtocolBufferException e) {
                assertEquals(-1, scanned, "the parser refused what the scan called clean, round " + round);
                continue;
            }
            TraceValidator.Result validated = TraceValidator.validate(parsed);
            if (scanned >= 0) {
                clean++;
                assertEquals(0, validated.rejectedSpans(), "round " + round);
                assertEquals(Spans.count(parsed), scanned, "round " + round);
            } else {
                assertTrue(validated.hasRejections(), "the scan refused what parses and validates, round " + round);
            }
        }
        assertTrue(clean > 1000, "mutations that stay clean: " + clean);
    }

    @Test
    void utf8AgreesWithTheJdkDecoder() {
        Random random = new Random(7);
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int round = 0; round < 200_000; round++) {
            // short and long, mostly ASCII with multi-byte sequences anywhere (the eight-byte ASCII path included)
            byte[] b = new byte[random.nextInt(round % 2 == 0 ? 8 : 40)];
            int highShare = 1 + random.nextInt(4);
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (random.nextInt(8) < highShare ? 0x80 + random.nextInt(128) : random.nextInt(128));
            }
            boolean jdk;
            try {
                decoder.reset().decode(ByteBuffer.wrap(b));
                jdk = true;
            } catch (CharacterCodingException e) {
                jdk = false;
            }
            assertEquals(jdk, Utf8.isValid(b, 0, b.length), () -> Arrays.toString(b));
        }
    }

    static int scan(UnaryOperator<Span.Builder> change) {
        return OtlpWire.cleanSpanCount(request(change).toByteArray());
    }

    static ExportTraceServiceRequest request(UnaryOperator<Span.Builder> change) {
        ExportTraceServiceRequest base = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL));
        Span span = change.apply(base.getResourceSpans(0).getScopeSpans(0).getSpans(0).toBuilder()).build();
        return base.toBuilder().setResourceSpans(0, base.getResourceSpans(0).toBuilder()
                .setScopeSpans(0, base.getResourceSpans(0).getScopeSpans(0).toBuilder().setSpans(0, span))).build();
    }

    static boolean parses(byte[] bytes) {
        try {
            ExportTraceServiceRequest.parseFrom(bytes);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }
}
