package dev.llmtrace.core.privacy;

/** Facts about a string computed in one pass, for the pre-checks. */
final class TextFacts {
    final String text;
    int digits;
    int upper;
    int dots;
    int colons;
    int dashes;
    /** '.' and '-' with a digit on both sides: IPv4, SSN and phone separators. */
    int digitDots;
    int digitDashes;
    /** '+' or '(' before a digit, a digit separator, or a national leading 0: what phone numbers have. */
    int phoneSigns;
    boolean at;
    boolean authWord;

    TextFacts(String text) {
        this.text = text;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == 'b' || c == 'B') && !authWord) {
                authWord = text.regionMatches(true, i, "bearer", 0, 6) || text.regionMatches(true, i, "basic", 0, 5);
            }
            if (c >= '0' && c <= '9') {
                digits++;
                if (c == '0' && (i == 0 || text.charAt(i - 1) == ' ') && i + 1 < text.length()
                        && Character.isDigit(text.charAt(i + 1))) {
                    phoneSigns++;
                }
            } else if (c >= 'A' && c <= 'Z') {
                upper++;
            } else if (c == '.') {
                dots++;
                if (betweenDigits(text, i)) {
                    digitDots++;
                    phoneSigns++;
                }
            } else if (c == ':') {
                colons++;
            } else if (c == '-') {
                dashes++;
                if (betweenDigits(text, i)) {
                    digitDashes++;
                    phoneSigns++;
                }
            } else if ((c == '+' || c == '(') && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1))) {
                phoneSigns++;
            } else if (c == '@') {
                at = true;
            }
        }
    }

    private static boolean betweenDigits(String text, int i) {
        return i > 0 && i + 1 < text.length() && Character.isDigit(text.charAt(i - 1)) && Character.isDigit(text.charAt(i + 1));
    }
}
