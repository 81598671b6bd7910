package dev.llmtrace.core.otlp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.llmtrace.core.Fixtures;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The public endpoint's front door under bodies a few edits away from real ones: every body is either refused
 * with {@link OtlpJsonException} (a 400 naming where) or read into bytes protobuf parses, the same message the
 * builder path reads, which writes back to JSON that reads as the same message. Anything else thrown would be a
 * 500. (60k bodies per seed found nothing on these rules; this keeps them from regressing.)
 */
class OtlpJsonMutationTest {

    private static final String[] PIECES = {"1e99999", "null", "[", "]", "{", "}", "\"", "\\u", "\\ud800", "-", "0x1",
            "1.5", "\"NaN\"", "true", "\"\"", ",", ":", "\"intValue\"", "\"kvlistValue\"", "\"arrayValue\"", "\"values\"",
            "\"bytesValue\"", "\"traceId\"", "\"kind\"", "\"SPAN_KIND_SERVER\"", "\"startTimeUnixNano\"", "-1",
            "4294967296", "\"status\"", "\"events\"", "\"links\"", "\"flags\"", "\u00e9", "\ud83d\ude00", "\u0000"};

    @ParameterizedTest
    @ValueSource(strings = {Fixtures.BROADCAST_FULL, Fixtures.BROADCAST_PRIVACY_ERROR, Fixtures.OPENINFERENCE_CHAT})
    void editedBodiesAreRefusedOrReadConsistently(String fixture) throws Exception {
        String original = new String(Fixtures.bytes(fixture), UTF_8);
        Random random = new Random(fixture.hashCode());
        int read = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] body = edit(original, random).getBytes(UTF_8);
            byte[] wire;
            try {
                wire = OtlpJson.tracesToProtobuf(body);
            } catch (OtlpJsonException refused) {
                continue;
            } catch (RuntimeException e) {
                fail("not a 400: " + e + " for " + new String(body, UTF_8), e);
                return;
            }
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(wire);
            assertEquals(request, OtlpJson.parseTraces(body));
            assertEquals(request, OtlpJson.parseTraces(OtlpJson.toJson(request)));
            read++;
        }
        assertTrue(read > 300, read + " of 3000 read: both sides are exercised");
    }

    /** One to three edits: a character replaced, a JSON piece inserted, a few characters cut, a stretch repeated. */
    private static String edit(String original, Random random) {
        StringBuilder b = new StringBuilder(original);
        for (int edits = 1 + random.nextInt(3); edits > 0 && b.length() > 0; edits--) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(4)) {
                case 0 -> b.setCharAt(at, (char) (32 + random.nextInt(95)));
                case 1 -> b.insert(at, PIECES[random.nextInt(PIECES.length)]);
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + random.nextInt(8)));
                default -> {
                    int from = random.nextInt(b.length());
                    b.insert(at, b.substring(from, Math.min(b.length(), from + random.nextInt(40))));
                }
            }
        }
        return b.toString();
    }
}
