package dev.llmtrace.core.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The in-place check answers what the JDK's strict UTF-8 decoder answers, for every slice of mixed and broken text. */
class Utf8Test {

    @Test
    void everySliceOfMixedTextIsJudgedAsTheJdkJudgesIt() {
        Random random = new Random(42);
        byte[][] pieces = {
                "a".getBytes(StandardCharsets.UTF_8), "é".getBytes(StandardCharsets.UTF_8), "日".getBytes(StandardCharsets.UTF_8),
                "🙂".getBytes(StandardCharsets.UTF_8), {(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xFF}};
        int slices = 0;
        for (int text = 0; text < 300; text++) {
            byte[] b = new byte[random.nextInt(40)];
            for (int at = 0; at < b.length; ) {
                // mostly ASCII, as spans are, with now and then a character beyond it or a broken sequence
                byte[] piece = random.nextInt(10) < 8 ? pieces[0] : pieces[random.nextInt(pieces.length)];
                int n = Math.min(piece.length, b.length - at);
                System.arraycopy(piece, 0, b, at, n);
                at += n;
            }
            for (int offset = 0; offset <= b.length; offset++) {
                for (int length = 0; offset + length <= b.length; length++) {
                    int from = offset;
                    assertEquals(jdkAccepts(b, offset, length), Utf8.isValid(b, offset, length),
                            () -> "bytes " + java.util.HexFormat.of().formatHex(b) + " from " + from);
                    slices++;
                }
            }
        }
        assertEquals(true, slices > 50_000, "slices checked: " + slices);
    }

    @Test
    void aBrokenByteIsFoundWhereverItIsInTheLastEight() {
        for (int length = 1; length <= 24; length++) {
            for (int bad = 0; bad < length; bad++) {
                byte[] b = "abcdefghijklmnopqrstuvwxyz".substring(0, length).getBytes(StandardCharsets.US_ASCII);
                b[bad] = (byte) 0x80;
                assertEquals(false, Utf8.isValid(b, 0, length), "length " + length + ", broken at " + bad);
                byte[] wider = new byte[length + 8]; // the same text with room after it in the array
                System.arraycopy(b, 0, wider, 0, length);
                wider[length] = (byte) 0x80; // beyond the text: not its business
                assertEquals(false, Utf8.isValid(wider, 0, length), "length " + length + ", broken at " + bad);
                wider[bad] = 'x';
                assertEquals(true, Utf8.isValid(wider, 0, length), "length " + length + " followed by a broken byte");
            }
        }
    }

    private static boolean jdkAccepts(byte[] b, int offset, int length) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, offset, length));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
