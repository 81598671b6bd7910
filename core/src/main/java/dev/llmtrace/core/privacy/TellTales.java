package dev.llmtrace.core.privacy;

/**
 * The literals a secret cannot be without (key prefixes, a PEM block's tail, the bearer/basic scheme) and the
 * pre-check built on them: most attribute values and JSON prompts hold none, and then skip every secret detector.
 * The one list of these tell-tales: {@link Detector}'s pre-checks and windows use it too.
 */
final class TellTales {
    private TellTales() {}

    static final String[] SK = {"sk-"};
    static final String[] JWT_PREFIX = {"eyJ"};
    static final String[] AWS_PREFIXES = {"AKIA", "ASIA", "ABIA", "ACCA"};
    static final String[] GITHUB_PREFIXES = {"gh", "github_pat_"};
    /** How every PEM private key block ends. */
    static final String PEM_TAIL = "PRIVATE KEY-----";
    /** A JSON escape, which could spell any tell-tale in a string a parser decodes. */
    static final String JSON_ESCAPE = "\\u";

    static boolean startsWithAny(String text, int at, String[] prefixes) {
        for (String prefix : prefixes) {
            if (text.startsWith(prefix, at)) {
                return true;
            }
        }
        return false;
    }

    static int nextPrefix(String text, String[] prefixes, int from) {
        int next = -1;
        for (String prefix : prefixes) {
            int at = text.indexOf(prefix, from);
            if (at >= 0 && (next < 0 || at < next)) {
                next = at;
            }
        }
        return next;
    }

    /**
     * Looks for the tell-tales of every secret detector at once ({@link Detector#mightMatch}'s for
     * secrets): false when no secret can be in it, nor in any string a JSON parser decodes from it (a
     * {@code \\u} escape could spell a tell-tale, so one makes this true). Most attribute values and whole JSON
     * prompts hold none, and then need neither the per-detector checks nor a JSON parse.
     */
    static boolean mayHoldSecret(String text) {
        if (text.length() < SHORTEST_SECRET) {
            return false; // nor does a JSON string decoded from it, which is shorter still
        }
        return text.length() <= ONE_PASS_UP_TO ? mayHoldSecretInOnePass(text) : mayHoldSecretByIndexOf(text);
    }

    /**
     * No text shorter than this holds a secret: the shortest is an AWS access key id (a four-letter prefix and 16
     * characters); the others' patterns ask for more (a JWT 28, an auth word, a space and a 16-character credential
     * 22, a key 23 or more). Half of a Broadcast span's string values (models, names, kinds) are shorter, and then
     * skip even the one-pass look.
     */
    static final int SHORTEST_SECRET = 20;

    /**
     * Up to this length one pass over the characters is cheaper than eight {@code indexOf} calls, each with its own
     * set-up: most attribute values (models, ids, names) are this short.
     */
    static final int ONE_PASS_UP_TO = 48;

    static boolean mayHoldSecretByIndexOf(String text) {
        // each tell-tale by String.indexOf, which the JIT turns into vector instructions: a few such passes
        // over a prompt cost less than one pass that branches on every character
        return nextPrefix(text, SK, 0) >= 0
                || nextPrefix(text, JWT_PREFIX, 0) >= 0
                || text.indexOf(JSON_ESCAPE) >= 0
                || text.indexOf(PEM_TAIL) >= 0
                || text.indexOf('_') >= 0 && nextPrefix(text, GITHUB_PREFIXES, 0) >= 0
                || anyAt(text, 'A', (t, i) -> startsWithAny(t, i, AWS_PREFIXES))
                || anyAt(text, 'b', TellTales::authWordAt)
                || anyAt(text, 'B', TellTales::authWordAt);
    }

    /** The same answer as {@link #mayHoldSecretByIndexOf}, in one pass that looks closer only at a tell-tale's first letter. */
    static boolean mayHoldSecretInOnePass(String text) {
        boolean underscore = false;
        boolean github = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 128 || !FIRST_LETTERS[c]) {
                continue;
            }
            switch (c) {
                case '_' -> underscore = true;
                case 'g' -> github |= startsWithAny(text, i, GITHUB_PREFIXES);
                case 'b', 'B' -> {
                    if (authWordAt(text, i)) {
                        return true;
                    }
                }
                case 'A' -> {
                    if (startsWithAny(text, i, AWS_PREFIXES)) {
                        return true;
                    }
                }
                default -> { // 's', 'e', '\\', 'P'
                    if (startsWithAny(text, i, SK) || startsWithAny(text, i, JWT_PREFIX) || text.startsWith(JSON_ESCAPE, i)
                            || text.startsWith(PEM_TAIL, i)) {
                        return true;
                    }
                }
            }
        }
        return underscore && github;
    }

    /** The first letters of the tell-tales {@link #mayHoldSecretByIndexOf} looks for. */
    private static final boolean[] FIRST_LETTERS = new boolean[128];

    static {
        for (char c : "_gbBAse\\P".toCharArray()) {
            FIRST_LETTERS[c] = true;
        }
    }

    private interface TellAt {
        boolean at(String text, int index);
    }

    /** Whether {@code tell} holds at some occurrence of {@code c} (found by indexOf). */
    private static boolean anyAt(String text, char c, TellAt tell) {
        for (int i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
            if (tell.at(text, i)) {
                return true;
            }
        }
        return false;
    }

    /** 'ſ', which regionMatches and the detector's {@code (?i)} take for an 's'. */
    private static final char LONG_S = '\u017F';

    static boolean authWordAt(String text, int i) {
        // the second and third letters first: a case-insensitive regionMatches at every 'b' of a prompt adds up, and a
        // hex key (an OpenRouter key, "…abab…") has a "ba" that is no "bas" every few characters
        if (i + 2 >= text.length()) {
            return false;
        }
        int second = text.charAt(i + 1) | 0x20;
        char third = text.charAt(i + 2);
        return second == 'e' && (third | 0x20) == 'a' && text.regionMatches(true, i, "bearer", 0, 6)
                || second == 'a' && ((third | 0x20) == 's' || third == LONG_S) && text.regionMatches(true, i, "basic", 0, 5);
    }
}
