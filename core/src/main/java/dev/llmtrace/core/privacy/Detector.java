package dev.llmtrace.core.privacy;

import com.google.re2j.Pattern;

/**
 * What can be masked: personal data (masked inside content under the {@code mask} policy) and
 * secrets (masked in every attribute whatever the policy). Each detector is an RE2 pattern (linear
 * time, no backtracking, so a hostile 1 MiB string cannot stall a worker), a cheap pre-check that
 * skips strings that cannot match, and a validator (Luhn, mod-97, octet ranges …) that keeps ids,
 * timestamps, prices and order numbers from being masked.
 */
public enum Detector {
    EMAIL(false, "<EMAIL>", "[A-Za-z0-9._%+\\-]+@[A-Za-z0-9\\-]+(?:\\.[A-Za-z0-9\\-]+)*\\.[A-Za-z]{2,24}"),
    PHONE(false, "<PHONE>", "\\+[1-9][0-9]{0,2}(?:[ .\\-]?\\(?[0-9]{1,4}\\)?){1,5}[ .\\-]?[0-9]{2,4}"
            + "|\\([0-9]{3}\\)[ .\\-]?[0-9]{3}[ .\\-][0-9]{4}"
            + "|[0-9]{3}[.\\-][0-9]{3}[.\\-][0-9]{4}"
            + "|0[1-9][0-9]{1,3}[ \\-][0-9]{3,4}[ \\-]?[0-9]{3,4}"),
    CREDIT_CARD(false, "<CREDIT_CARD>", "[0-9](?:[ \\-]?[0-9]){12,18}"),
    IBAN(false, "<IBAN>", "[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}"),
    IP_ADDRESS(false, "<IP_ADDRESS>", "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*"),
    US_SSN(false, "<US_SSN>", "[0-9]{3}-[0-9]{2}-[0-9]{4}"),
    OPENROUTER_KEY(true, "<OPENROUTER_KEY>", "sk-or-v1-[a-f0-9]{64}"),
    OPENAI_KEY(true, "<OPENAI_KEY>", "sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\\-]{20,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),
    ANTHROPIC_KEY(true, "<ANTHROPIC_KEY>", "sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\\-]{80,120}"),
    AWS_ACCESS_KEY(true, "<AWS_ACCESS_KEY>", "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"),
    GITHUB_TOKEN(true, "<GITHUB_TOKEN>", "gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82}"),
    JWT(true, "<JWT>", "eyJ[A-Za-z0-9_\\-]{5,}\\.eyJ[A-Za-z0-9_\\-]{5,}\\.[A-Za-z0-9_\\-]{10,}"),
    /** {@code Bearer …} / {@code Basic …}: only the credential is masked, the scheme stays. */
    AUTH_CREDENTIAL(true, "<CREDENTIAL>", "(?i)(?:bearer|basic)[ \\t]+([A-Za-z0-9._~+/=\\-]{16,})"),
    PRIVATE_KEY(true, "<PRIVATE_KEY>", "-----BEGIN[A-Z ]*PRIVATE KEY-----(?s:.*?)-----END[A-Z ]*PRIVATE KEY-----");

    final boolean secret;
    final String placeholder;
    final Pattern pattern;

    Detector(boolean secret, String placeholder, String regex) {
        this.secret = secret;
        this.placeholder = placeholder;
        this.pattern = Pattern.compile(regex);
    }

    public boolean isSecret() {
        return secret;
    }

    public String placeholder() {
        return placeholder;
    }

    /** The RE2 expression: this detector's specification (the benchmark gives it to the Collector's redaction processor). */
    public String expression() {
        return pattern.pattern();
    }

    /** Cheap test on facts about the text computed once: can this detector match at all? */
    boolean mightMatch(TextFacts f) {
        return switch (this) {
            case EMAIL -> f.at;
            case PHONE -> f.digits >= 8 && f.phoneSigns > 0;
            case CREDIT_CARD -> f.digits >= 13;
            case IBAN -> f.digits >= 4 && f.upper >= 2;
            case IP_ADDRESS -> f.digits >= 4 && f.digitDots >= 3 || f.colons >= 2;
            case US_SSN -> f.digits >= 9 && f.digitDashes >= 2;
            case OPENROUTER_KEY, OPENAI_KEY, ANTHROPIC_KEY, JWT -> TellTales.nextPrefix(f.text, prefixes(), 0) >= 0;
            case AWS_ACCESS_KEY -> f.upper >= 4 && TellTales.nextPrefix(f.text, TellTales.AWS_PREFIXES, 0) >= 0;
            case GITHUB_TOKEN -> f.text.indexOf('_') >= 0 && TellTales.nextPrefix(f.text, TellTales.GITHUB_PREFIXES, 0) >= 0;
            case AUTH_CREDENTIAL -> f.authWord;
            case PRIVATE_KEY -> f.text.contains(TellTales.PEM_TAIL);
        };
    }

    /**
     * The regions of {@code text} worth running the pattern on: maximal runs of characters the
     * pattern can consist of that hold its tell-tale (an '@', enough digits, a key prefix …). RE2's
     * machine is the costly part, so it only sees these short windows; each character is looked at a
     * bounded number of times, so the whole stays linear.
     */
    void windows(String text, java.util.function.IntBinaryOperator scan) {
        if (this == AUTH_CREDENTIAL) {
            // from one 'b' or 'B' to the next by String.indexOf (vectorised), each found once: linear
            int lower = text.indexOf('b');
            int upper = text.indexOf('B');
            while (lower >= 0 || upper >= 0) {
                int i = lower < 0 ? upper : upper < 0 ? lower : Math.min(lower, upper);
                int next = i + 1;
                if (TellTales.authWordAt(text, i)) {
                    int end = i + 5;
                    while (end < text.length() && Character.isLetter(text.charAt(end))) {
                        end++;
                    }
                    while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) {
                        end++;
                    }
                    while (end < text.length() && credentialChar(text.charAt(end))) {
                        end++;
                    }
                    scan.applyAsInt(i, end);
                    next = end;
                }
                if (lower >= 0 && lower < next) {
                    lower = text.indexOf('b', next);
                }
                if (upper >= 0 && upper < next) {
                    upper = text.indexOf('B', next);
                }
            }
            return;
        }
        if (this == PRIVATE_KEY) {
            int from = 0;
            int begin;
            while ((begin = text.indexOf("-----BEGIN", from)) >= 0) {
                int endMarker = text.indexOf("-----END", begin);
                int close = endMarker < 0 ? -1 : text.indexOf(TellTales.PEM_TAIL, endMarker);
                if (close < 0) {
                    return;
                }
                scan.applyAsInt(begin, close + TellTales.PEM_TAIL.length());
                from = close + 1;
            }
            return;
        }
        String[] prefixes = prefixes();
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (prefixes != null) { // only runs holding a prefix can match: jump to the next one, then widen to its run
                int at = TellTales.nextPrefix(text, prefixes, i);
                if (at < 0) {
                    return;
                }
                i = at;
                while (i > 0 && inWindow(text.charAt(i - 1))) {
                    i--;
                }
            } else if (!inWindow(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            int digits = 0;
            int marks = 0;
            while (i < n && inWindow(text.charAt(i))) {
                char c = text.charAt(i);
                if (c >= '0' && c <= '9') {
                    digits++;
                } else if (c == '@' || c == ':' || c == '.') {
                    marks++;
                }
                i++;
            }
            if (qualifies(text, start, i, digits, marks)) {
                scan.applyAsInt(start, i);
            }
        }
    }

    /**
     * The literal every match of this detector starts with (one of them), for the keys and tokens; null for the others.
     * The lists are {@link TellTales}'s: the pre-checks ({@link #mightMatch}, {@link TellTales#mayHoldSecret}) and the windows use them.
     */
    private String[] prefixes() {
        return switch (this) {
            case OPENROUTER_KEY, OPENAI_KEY, ANTHROPIC_KEY -> TellTales.SK;
            case JWT -> TellTales.JWT_PREFIX;
            case AWS_ACCESS_KEY -> TellTales.AWS_PREFIXES;
            case GITHUB_TOKEN -> TellTales.GITHUB_PREFIXES;
            default -> null;
        };
    }

    private static boolean credentialChar(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-';
    }

    /** inWindow as a table per detector: the window scans run once per detector per string, so per-char cost matters. */
    private static final boolean[][] WINDOW_CHARS = new boolean[values().length][128];

    static {
        for (Detector d : values()) {
            for (char c = 0; c < 128; c++) {
                WINDOW_CHARS[d.ordinal()][c] = d.inWindowSlow(c);
            }
        }
    }

    private boolean inWindow(char c) {
        return c < 128 && WINDOW_CHARS[ordinal()][c];
    }

    private boolean inWindowSlow(char c) {
        boolean digit = c >= '0' && c <= '9';
        boolean lower = c >= 'a' && c <= 'z';
        boolean upperCase = c >= 'A' && c <= 'Z';
        return switch (this) {
            case EMAIL -> digit || lower || upperCase || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '@';
            case PHONE -> digit || c == ' ' || c == '+' || c == '(' || c == ')' || c == '.' || c == '-';
            case CREDIT_CARD -> digit || c == ' ' || c == '-';
            case US_SSN -> digit || c == '-';
            case IP_ADDRESS -> digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            case IBAN -> digit || upperCase || c == ' ';
            case OPENROUTER_KEY, OPENAI_KEY, ANTHROPIC_KEY -> digit || lower || upperCase || c == '_' || c == '-';
            case AWS_ACCESS_KEY -> digit || upperCase;
            case GITHUB_TOKEN -> digit || lower || upperCase || c == '_';
            case JWT -> digit || lower || upperCase || c == '_' || c == '-' || c == '.';
            case AUTH_CREDENTIAL, PRIVATE_KEY -> false;
        };
    }

    private boolean qualifies(String text, int start, int end, int digits, int marks) {
        int length = end - start;
        return switch (this) {
            case EMAIL -> marks > 0 && text.indexOf('@', start) < end && length >= 6;
            case PHONE -> digits >= 8 && phoneShaped(text, start, end);
            case CREDIT_CARD -> digits >= 13;
            case US_SSN -> digits >= 9;
            case IP_ADDRESS -> digits >= 1 && marks >= 2;
            case IBAN -> length >= 15 && digits >= 4 && countryThenCheckDigits(text, start, end);
            case OPENROUTER_KEY, OPENAI_KEY, ANTHROPIC_KEY -> length >= 20 && contains(text, start, end, "sk-");
            case AWS_ACCESS_KEY -> length >= 20;
            case GITHUB_TOKEN -> length >= 40;
            case JWT -> length >= 30 && contains(text, start, end, "eyJ");
            case AUTH_CREDENTIAL, PRIVATE_KEY -> true;
        };
    }

    /** A phone has a '+', '(' or a separator other than space, or a national leading 0; a bare card number has none. */
    private static boolean phoneShaped(String text, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            boolean digitAfter = i + 1 < end && Character.isDigit(text.charAt(i + 1));
            boolean digitBefore = i > start && Character.isDigit(text.charAt(i - 1));
            if ((c == '+' || c == '(') && digitAfter || (c == '-' || c == '.') && digitAfter && digitBefore) {
                return true;
            }
            if (c == '0' && (i == start || text.charAt(i - 1) == ' ') && i + 1 < end && Character.isDigit(text.charAt(i + 1))) {
                return true;
            }
        }
        return false;
    }

    /** Somewhere two upper-case letters followed by two digits: how every IBAN starts. */
    private static boolean countryThenCheckDigits(String text, int start, int end) {
        for (int i = start; i + 4 <= end; i++) {
            if (Character.isUpperCase(text.charAt(i)) && Character.isUpperCase(text.charAt(i + 1))
                    && Character.isDigit(text.charAt(i + 2)) && Character.isDigit(text.charAt(i + 3))) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(String text, int start, int end, String needle) {
        int at = text.indexOf(needle, start);
        return at >= 0 && at + needle.length() <= end;
    }

    /** Is the match at [start, end) really one (checksums, ranges, word boundaries)? */
    boolean accept(String text, int start, int end) {
        String m = text.substring(start, end);
        return switch (this) {
            case PHONE -> bounded(text, start, end) && Checksums.phoneDigits(m);
            case CREDIT_CARD -> bounded(text, start, end) && Checksums.card(m);
            case IBAN -> !alnum(text, start - 1) && Checksums.iban(m.replace(" ", ""));
            case IP_ADDRESS -> m.indexOf('.') > 0 && m.indexOf(':') < 0
                    ? !digitOrDot(text, start - 1) && !digitOrDot(text, end) && Checksums.ipv4(m)
                    : !hexOrColon(text, start - 1) && !hexOrColon(text, end) && Checksums.ipv6(m);
            case US_SSN -> bounded(text, start, end) && Checksums.ssn(m);
            case AWS_ACCESS_KEY -> !upperOrDigit(text, start - 1) && !upperOrDigit(text, end);
            case EMAIL, OPENROUTER_KEY, OPENAI_KEY, ANTHROPIC_KEY, GITHUB_TOKEN, JWT, AUTH_CREDENTIAL, PRIVATE_KEY -> true;
        };
    }

    // ---- validators ----

    private static boolean bounded(String text, int start, int end) {
        return !alnum(text, start - 1) && !alnum(text, end) && !(start > 0 && (text.charAt(start - 1) == '-' || text.charAt(start - 1) == '.')
                && alnum(text, start - 2)) && !(end < text.length() && (text.charAt(end) == '-') && alnum(text, end + 1));
    }

    private static boolean alnum(String text, int i) {
        return i >= 0 && i < text.length() && Character.isLetterOrDigit(text.charAt(i));
    }

    private static boolean upperOrDigit(String text, int i) {
        return i >= 0 && i < text.length() && (Character.isUpperCase(text.charAt(i)) || Character.isDigit(text.charAt(i)));
    }

    private static boolean digitOrDot(String text, int i) {
        return i >= 0 && i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.');
    }

    private static boolean hexOrColon(String text, int i) {
        return i >= 0 && i < text.length() && (Character.digit(text.charAt(i), 16) >= 0 || text.charAt(i) == ':'
                || Character.isLetter(text.charAt(i)));
    }
}
