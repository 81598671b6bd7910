package dev.llmtrace.core.privacy;

import java.util.function.IntBinaryOperator;

/**
 * Hand-written finders for the detectors whose shape is a fixed prefix or a simple run, giving the
 * same matches as their RE2 patterns (leftmost, greedy) without running RE2's NFA, which dominated
 * the cost of masking. Each looks at every character of its window a bounded number of times, so
 * they stay linear. Candidates still go through {@link Detector#accept}.
 */
final class DirectFinders {
    private DirectFinders() {}

    /** Emits candidates in [from, to) and returns true, or returns false when the RE2 pattern must run. */
    static boolean find(Detector d, String t, int from, int to, IntBinaryOperator emit) {
        switch (d) {
            case OPENROUTER_KEY -> {
                for (int p = t.indexOf("sk-or-v1-", from); p >= 0 && p < to; p = t.indexOf("sk-or-v1-", p + 1)) {
                    if (p + 73 <= to && run(t, p + 9, p + 73, DirectFinders::lowerHex) == p + 73) {
                        emit.applyAsInt(p, p + 73);
                    }
                }
                return true;
            }
            case OPENAI_KEY -> {
                for (int p = t.indexOf("sk-", from); p >= 0 && p < to; p = t.indexOf("sk-", p + 1)) {
                    int q = prefixEnd(t, p + 3, to, "proj-", "svcacct-", "admin-");
                    if (q > 0) {
                        int r = run(t, q, to, DirectFinders::keyChar);
                        if (r - q >= 20) {
                            emit.applyAsInt(p, r);
                            p = r - 1;
                        }
                    } else if (p + 51 <= to && run(t, p + 3, p + 23, DirectFinders::alnum) == p + 23
                            && t.startsWith("T3BlbkFJ", p + 23) && run(t, p + 31, p + 51, DirectFinders::alnum) == p + 51) {
                        emit.applyAsInt(p, p + 51);
                    }
                }
                return true;
            }
            case ANTHROPIC_KEY -> {
                for (int p = t.indexOf("sk-ant-", from); p >= 0 && p < to; p = t.indexOf("sk-ant-", p + 1)) {
                    int q = prefixEnd(t, p + 7, to, "api", "admin");
                    if (q > 0 && q + 3 <= to && digit(t.charAt(q)) && digit(t.charAt(q + 1)) && t.charAt(q + 2) == '-') {
                        int r = run(t, q + 3, Math.min(to, q + 3 + 120), DirectFinders::keyChar);
                        if (r - (q + 3) >= 80) {
                            emit.applyAsInt(p, r);
                        }
                    }
                }
                return true;
            }
            case AWS_ACCESS_KEY -> {
                for (int p = from; p + 20 <= to; p++) {
                    if ((t.startsWith("AKIA", p) || t.startsWith("ASIA", p) || t.startsWith("ABIA", p) || t.startsWith("ACCA", p))
                            && run(t, p + 4, p + 20, DirectFinders::upperOrDigit) == p + 20) {
                        emit.applyAsInt(p, p + 20);
                        p += 19;
                    }
                }
                return true;
            }
            case GITHUB_TOKEN -> {
                for (int p = from; p < to; p++) {
                    if (t.startsWith("github_pat_", p) && p + 93 <= to && run(t, p + 11, p + 93, DirectFinders::wordChar) == p + 93) {
                        emit.applyAsInt(p, p + 93);
                        p += 92;
                    } else if (p + 40 <= to && t.charAt(p) == 'g' && t.charAt(p + 1) == 'h' && "pousr".indexOf(t.charAt(p + 2)) >= 0
                            && t.charAt(p + 3) == '_' && run(t, p + 4, p + 40, DirectFinders::alnum) == p + 40) {
                        emit.applyAsInt(p, p + 40);
                        p += 39;
                    }
                }
                return true;
            }
            case JWT -> {
                for (int p = t.indexOf("eyJ", from); p >= 0 && p < to; p = t.indexOf("eyJ", p + 1)) {
                    int a = run(t, p + 3, to, DirectFinders::keyChar);
                    if (a - (p + 3) < 5 || a >= to || t.charAt(a) != '.' || !t.startsWith("eyJ", a + 1)) {
                        p = Math.max(p, a - 3); // a later "eyJ" in the same run ends there too: skip it (linear time)
                        continue;
                    }
                    int b = run(t, a + 4, to, DirectFinders::keyChar);
                    if (b - (a + 4) < 5 || b >= to || t.charAt(b) != '.') {
                        p = Math.max(p, a - 3);
                        continue;
                    }
                    int c = run(t, b + 1, to, DirectFinders::keyChar);
                    if (c - (b + 1) >= 10) {
                        emit.applyAsInt(p, c);
                        p = c - 1;
                    }
                }
                return true;
            }
            case EMAIL -> {
                int localStart = from;
                for (int at = t.indexOf('@', from); at >= 0 && at < to; at = t.indexOf('@', at + 1)) {
                    int next = t.indexOf('@', at + 1);
                    int domainEnd = domainEnd(t, at + 1, next < 0 || next > to ? to : next);
                    if (at > localStart && domainEnd > 0) {
                        emit.applyAsInt(localStart, domainEnd);
                    }
                    localStart = at + 1;
                }
                return true;
            }
            case CREDIT_CARD -> {
                int i = from;
                while (i < to) {
                    if (!digit(t.charAt(i))) {
                        i++;
                        continue;
                    }
                    int count = 1;
                    int j = i + 1;
                    while (count < 19 && j < to) {
                        if (digit(t.charAt(j))) {
                            count++;
                            j++;
                        } else if ((t.charAt(j) == ' ' || t.charAt(j) == '-') && j + 1 < to && digit(t.charAt(j + 1))) {
                            count++;
                            j += 2;
                        } else {
                            break;
                        }
                    }
                    if (count >= 13) {
                        emit.applyAsInt(i, j);
                    }
                    i = j;
                }
                return true;
            }
            case PHONE -> {
                emitEach(t, from, to, DirectFinders::phoneAt, emit);
                return true;
            }
            case US_SSN -> {
                for (int i = from; i + 11 <= to; i++) {
                    if (t.charAt(i + 3) == '-' && t.charAt(i + 6) == '-' && run(t, i, i + 3, DirectFinders::digitChar) == i + 3
                            && run(t, i + 4, i + 6, DirectFinders::digitChar) == i + 6 && run(t, i + 7, i + 11, DirectFinders::digitChar) == i + 11) {
                        emit.applyAsInt(i, i + 11);
                        i += 10;
                    }
                }
                return true;
            }
            case IP_ADDRESS -> {
                if (t.indexOf(':', from) >= 0 && t.indexOf(':', from) < to) {
                    return false; // IPv6 shapes: RE2
                }
                emitEach(t, from, to, DirectFinders::ipv4At, emit);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * The end of a phone number starting at i, or -1: {@code +CC} followed by digit groups with single
     * separators and optional parentheses; {@code (ddd) ddd-dddd}; {@code ddd-ddd-dddd} or with dots;
     * or a national number with a leading 0 ({@code 020 7946 0958}). Digit counts are checked by accept().
     */
    /** A matcher anchored at {@code i}: the end of its match, or 0 when none starts there. */
    private interface MatchAt {
        int endAt(String t, int i, int to);
    }

    /** Every non-overlapping match of {@code at} in [from, to), left to right. */
    private static void emitEach(String t, int from, int to, MatchAt at, IntBinaryOperator emit) {
        for (int i = from; i < to; i++) {
            int end = at.endAt(t, i, to);
            if (end > 0) {
                emit.applyAsInt(i, end);
                i = end - 1;
            }
        }
    }

    private static int phoneAt(String t, int i, int to) {
        char c = t.charAt(i);
        if (c == '+' && i + 1 < to && t.charAt(i + 1) >= '1' && t.charAt(i + 1) <= '9') {
            int pos = run(t, i + 1, Math.min(to, i + 4), DirectFinders::digitChar);
            int end = pos;
            for (int groups = 0; groups < 6 && pos < to; groups++) {
                int p = pos;
                if (" .-".indexOf(t.charAt(p)) >= 0) {
                    p++;
                }
                boolean paren = p < to && t.charAt(p) == '(';
                if (paren) {
                    p++;
                }
                int digitsEnd = run(t, p, Math.min(to, p + 4), DirectFinders::digitChar);
                if (digitsEnd == p) {
                    break;
                }
                p = digitsEnd;
                if (paren && p < to && t.charAt(p) == ')') {
                    p++;
                }
                pos = p;
                end = p;
            }
            return end > i + 2 ? end : -1;
        }
        if (c == '(' && i + 5 <= to && run(t, i + 1, i + 4, DirectFinders::digitChar) == i + 4 && t.charAt(i + 4) == ')') {
            int p = i + 5;
            if (p < to && " .-".indexOf(t.charAt(p)) >= 0) {
                p++;
            }
            if (p + 8 <= to && run(t, p, p + 3, DirectFinders::digitChar) == p + 3 && " .-".indexOf(t.charAt(p + 3)) >= 0
                    && run(t, p + 4, p + 8, DirectFinders::digitChar) == p + 8) {
                return p + 8;
            }
            return -1;
        }
        if (!digit(c) || (i > 0 && digit(t.charAt(i - 1)))) {
            return -1;
        }
        if (i + 12 <= to && run(t, i, i + 3, DirectFinders::digitChar) == i + 3 && ".-".indexOf(t.charAt(i + 3)) >= 0
                && run(t, i + 4, i + 7, DirectFinders::digitChar) == i + 7 && ".-".indexOf(t.charAt(i + 7)) >= 0
                && run(t, i + 8, i + 12, DirectFinders::digitChar) == i + 12) {
            return i + 12;
        }
        if (c == '0' && i + 1 < to && t.charAt(i + 1) >= '1' && t.charAt(i + 1) <= '9') {
            int area = run(t, i, Math.min(to, i + 5), DirectFinders::digitChar);
            if (area - i < 3 || area >= to || " -".indexOf(t.charAt(area)) < 0) {
                return -1;
            }
            int first = run(t, area + 1, Math.min(to, area + 5), DirectFinders::digitChar);
            if (first - (area + 1) < 3) {
                return -1;
            }
            int p = first < to && " -".indexOf(t.charAt(first)) >= 0 ? first + 1 : first;
            int second = run(t, p, Math.min(to, p + 4), DirectFinders::digitChar);
            return second - p >= 3 ? second : -1;
        }
        return -1;
    }

    /** The end of an IPv4 shape (1-3 digits, '.', x4) starting at i, or -1; tries shorter digit groups as RE2 would. */
    private static int ipv4At(String t, int i, int to) {
        return group(t, i, to, 0);
    }

    private static int group(String t, int i, int to, int index) {
        for (int len = 3; len >= 1; len--) {
            if (i + len > to || run(t, i, i + len, DirectFinders::digitChar) != i + len) {
                continue;
            }
            int end = i + len;
            if (index == 3) {
                return end;
            }
            if (end < to && t.charAt(end) == '.') {
                int rest = group(t, end + 1, to, index + 1);
                if (rest > 0) {
                    return rest;
                }
            }
        }
        return -1;
    }

    /**
     * The end of the longest domain at [start, limit) matching {@code [A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}},
     * or -1.
     */
    private static int domainEnd(String t, int start, int limit) {
        int best = -1;
        int labels = 0;
        int i = start;
        while (i < limit) {
            int labelStart = i;
            boolean lettersOnly = true;
            while (i < limit && (alnum(t.charAt(i)) || t.charAt(i) == '-')) {
                lettersOnly &= Character.isLetter(t.charAt(i));
                i++;
            }
            int length = i - labelStart;
            if (length == 0) {
                break;
            }
            labels++;
            if (labels >= 2 && lettersOnly && length >= 2 && length <= 24) {
                best = i;
            }
            if (i < limit && t.charAt(i) == '.') {
                i++;
            } else {
                break;
            }
        }
        return best;
    }

    private static int prefixEnd(String t, int at, int to, String... prefixes) {
        for (String p : prefixes) {
            if (at + p.length() <= to && t.startsWith(p, at)) {
                return at + p.length();
            }
        }
        return -1;
    }

    /** The first index in [from, limit) whose char is not in the class, or limit. */
    private static int run(String t, int from, int limit, CharClass c) {
        int i = from;
        while (i < limit && i < t.length() && c.test(t.charAt(i))) {
            i++;
        }
        return Math.min(i, limit);
    }

    @FunctionalInterface
    private interface CharClass {
        boolean test(char c);
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean digitChar(char c) {
        return digit(c);
    }

    private static boolean lowerHex(char c) {
        return digit(c) || (c >= 'a' && c <= 'f');
    }

    private static boolean alnum(char c) {
        return digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean upperOrDigit(char c) {
        return digit(c) || (c >= 'A' && c <= 'Z');
    }

    private static boolean keyChar(char c) {
        return alnum(c) || c == '_' || c == '-';
    }

    private static boolean wordChar(char c) {
        return alnum(c) || c == '_';
    }
}
