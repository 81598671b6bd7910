package dev.llmtrace.core.otlp;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HexFormat;

/**
 * OTLP/JSON's scalar rules, read from Jackson's current token: 64-bit integers from strings or numbers,
 * doubles from numbers or "NaN"/"Infinity", ids as hex and other bytes as base64. Errors name the JSON
 * pointer of the value, never the value itself.
 */
final class OtlpJsonScalars {

    private OtlpJsonScalars() {}

    static boolean parseBooleanString(JsonParser p) throws IOException {
        String text = p.getText();
        if ("true".equals(text)) {
            return true;
        }
        if ("false".equals(text)) {
            return false;
        }
        throw error(p, "expected true or false");
    }

    static long readInteger(JsonParser p, long min, long max) throws IOException {
        long value = readLong(p, false);
        if (value < min || value > max) {
            throw error(p, "integer out of range");
        }
        return value;
    }

    private static final String NOT_AN_INTEGER = "expected an integer (number or string)";

    /** Reads a 64-bit integer from a JSON number or a decimal string; unsigned values above 2^63 wrap. */
    static long readLong(JsonParser p, boolean unsigned) throws IOException {
        long fast = switch (p.currentToken()) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? -1 : p.getLongValue();
            case VALUE_STRING -> parseDecimalDigits(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
            default -> -1;
        };
        if (fast >= 0) {
            return fast; // the common case: plain digits within 0..2^63-1, in range for every integer type
        }
        BigInteger value;
        try {
            value = switch (p.currentToken()) {
                case VALUE_NUMBER_INT -> p.getBigIntegerValue(); // Jackson bounds its digits
                case VALUE_NUMBER_FLOAT -> exactInteger(p, p.getDecimalValue());
                case VALUE_STRING -> exactInteger(p, decimalString(p));
                default -> throw error(p, NOT_AN_INTEGER);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(p, NOT_AN_INTEGER);
        }
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.valueOf(Long.MIN_VALUE);
        BigInteger max = unsigned ? UNSIGNED_LONG_MAX : BigInteger.valueOf(Long.MAX_VALUE);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw error(p, "integer out of range");
        }
        return value.longValue();
    }

    /** As many characters as Jackson allows a JSON number: a longer string is no 64-bit integer anyone sends. */
    static final int MAX_NUMBER_CHARS = 1000;

    private static BigDecimal decimalString(JsonParser p) throws IOException {
        String text = p.getText().trim();
        if (text.length() > MAX_NUMBER_CHARS) {
            throw error(p, NOT_AN_INTEGER); // BigDecimal's parse is quadratic in digits
        }
        return new BigDecimal(text);
    }

    /**
     * The integer {@code d} holds, checked without expanding its exponent: {@code toBigIntegerExact} on
     * {@code 1e100000000} or {@code 1e-100000000} builds a hundred-million-digit number, minutes of CPU
     * for a few bytes of JSON.
     */
    private static BigInteger exactInteger(JsonParser p, BigDecimal d) throws IOException {
        if (d.signum() == 0) {
            return BigInteger.ZERO;
        }
        if ((long) d.precision() - d.scale() > 20) { // 10^20 or more: beyond any 64-bit integer
            throw error(p, "integer out of range");
        }
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() > 0) {
            throw error(p, NOT_AN_INTEGER);
        }
        return stripped.toBigIntegerExact(); // at most 20 digits now
    }

    private static final BigInteger UNSIGNED_LONG_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** 1 to 18 ASCII digits and nothing else: their value; otherwise -1 (left to the general path). */
    private static long parseDecimalDigits(char[] chars, int offset, int length) {
        if (length == 0 || length > 18) {
            return -1;
        }
        long value = 0;
        for (int i = offset; i < offset + length; i++) {
            int digit = chars[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    static double readDouble(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_STRING -> {
                String text = p.getText().trim();
                switch (text) {
                    case "NaN" -> { return Double.NaN; }
                    case "Infinity" -> { return Double.POSITIVE_INFINITY; }
                    case "-Infinity" -> { return Double.NEGATIVE_INFINITY; }
                    default -> {
                        try {
                            return Double.parseDouble(text);
                        } catch (NumberFormatException e) {
                            throw error(p, "expected a number");
                        }
                    }
                }
            }
            default -> throw error(p, "expected a number");
        }
    }

    static byte[] hexToBytes(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        if ((length & 1) != 0) {
            throw error(p, idHint(p.getText(), "has an odd number of characters"));
        }
        byte[] bytes = new byte[length / 2];
        for (int i = 0; i < bytes.length; i++) {
            int hi = hexDigit(chars[offset + 2 * i]);
            int lo = hexDigit(chars[offset + 2 * i + 1]);
            if (hi < 0 || lo < 0) {
                throw error(p, idHint(p.getText(), "is not hex"));
            }
            bytes[i] = (byte) ((hi << 4) | lo);
        }
        return bytes;
    }

    /** ASCII hex only: {@code Character.digit} also takes fullwidth and other scripts' digits. */
    private static int hexDigit(char c) {
        return HexFormat.isHexDigit(c) ? HexFormat.fromHexDigit(c) : -1;
    }

    private static String idHint(String value, String problem) {
        boolean looksBase64 = value.endsWith("=") || value.indexOf('+') >= 0 || value.indexOf('/') >= 0
                || value.length() == 24 || value.length() == 12;
        return "id " + problem + (looksBase64 ? "; OTLP/JSON encodes trace and span ids as hex, not base64" : "");
    }

    static byte[] base64ToBytes(JsonParser p) throws IOException {
        String text = p.getText();
        try {
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
        } catch (IllegalArgumentException e) {
            throw error(p, "expected base64");
        }
    }

    static OtlpJsonException error(JsonParser p, String problem) {
        String where = p.getParsingContext().pathAsPointer().toString();
        return new OtlpJsonException(problem + " at " + (where.isEmpty() ? "/" : where));
    }
}
