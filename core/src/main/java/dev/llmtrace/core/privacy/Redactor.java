package dev.llmtrace.core.privacy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntBinaryOperator;

/**
 * Masks the matching part of a text with a typed placeholder ({@code <EMAIL>}, {@code <OPENAI_KEY>} …),
 * leaving the rest as it was. Secrets are always looked for; personal data only when asked. A text
 * that is JSON (OpenRouter's {@code gen_ai.prompt}) is masked string by string, so it stays valid JSON.
 */
public final class Redactor {

    /** The masked text and how many of each kind were masked (keyed by placeholder name, e.g. EMAIL). */
    public record Result(String text, Map<String, Integer> counts) {
        public boolean changed() {
            return !counts.isEmpty();
        }

        public int total() {
            return counts.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** A user-defined pattern with its placeholder name, validated at start. */
    public record ExtraPattern(String name, Pattern pattern) {
        public static ExtraPattern compile(String name, String regex) {
            if (!name.matches("[A-Za-z0-9_]{1,40}")) {
                throw new IllegalArgumentException("extra pattern name '" + name + "' must be 1-40 letters, digits or _");
            }
            try {
                return new ExtraPattern(name.toUpperCase(), Pattern.compile(regex));
            } catch (com.google.re2j.PatternSyntaxException e) {
                throw new IllegalArgumentException("extra pattern '" + name + "' is not a valid RE2 expression: " + e.getDescription());
            }
        }
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNestingDepth(200).build())
            .build();

    private final List<Detector> secrets;
    private final List<Detector> personal;
    private final List<ExtraPattern> extra;
    private final Set<String> allowed;

    public Redactor(Set<Detector> personalData, List<ExtraPattern> extra, Set<String> allowed) {
        this.secrets = EnumSet.allOf(Detector.class).stream().filter(Detector::isSecret).toList();
        this.personal = personalData.stream().filter(d -> !d.isSecret()).sorted().toList();
        this.extra = List.copyOf(extra);
        this.allowed = Set.copyOf(allowed);
    }

    /** All personal-data detectors, no extras, nothing allowed. */
    public static Redactor defaults() {
        return new Redactor(EnumSet.allOf(Detector.class), List.of(), Set.of());
    }

    /** Secrets only (the floor every attribute gets). */
    public Result secrets(String text) {
        return mask(text, false);
    }

    /** Secrets and personal data, JSON-aware. */
    public Result all(String text) {
        return mask(text, true);
    }

    /**
     * False when no secret detector can match in {@code text}, nor in a string a JSON parser decodes from it (the
     * tell-tale pass every attribute value gets first): for the decoder's tables of recent values, which must not keep
     * a secret.
     */
    public static boolean mayHoldSecret(String text) {
        return TellTales.mayHoldSecret(text);
    }

    /**
     * False when {@link #secrets} (or {@link #all}, for {@code personalData}) surely leaves {@code text} as it is: the
     * cheap check that nearly every attribute stops at, so that it allocates nothing.
     */
    public boolean mayChange(String text, boolean personalData) {
        return !text.isEmpty() && (personalData || TellTales.mayHoldSecret(text));
    }

    private Result mask(String text, boolean personalData) {
        return mayChange(text, personalData) ? maskChecked(text, personalData) : new Result(text, Map.of());
    }

    /**
     * {@link #secrets} ({@link #all} for {@code personalData}) of a text that {@link #mayChange} has let through:
     * the caller that asked it first does not pay for its pass over the text twice.
     */
    Result maskChecked(String text, boolean personalData) {
        char first = firstNonSpace(text);
        if ((first == '{' || first == '[') && text.length() > 1) {
            Result json = maskJson(text, personalData);
            if (json != null) {
                return json;
            }
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        String masked = maskPlain(text, personalData, counts);
        return new Result(masked, counts);
    }

    /**
     * One JSON document: every string value (and key) masked on its own, and only the changed string
     * tokens rewritten, so the rest keeps its exact formatting; null when it is not JSON.
     */
    private Result maskJson(String text, boolean personalData) {
        if (!personalData && text.indexOf('\\') < 0) {
            Result whole = secretsWithoutEscapes(text);
            if (whole != null) {
                return whole;
            }
        }
        return maskJsonStrings(text, personalData);
    }

    /**
     * The secrets of a document without escapes, looked for in the whole text at once: the same as string by string
     * without parsing it (parsing the Broadcast prompt was a twentieth of the all-in-one's CPU). A secret detector's
     * window never holds a quote and no number or literal holds a key's prefix, so what they find lies within one
     * string, and a string without escapes reads as its own characters; a placeholder holds nothing to escape. Null
     * when a match took in a quote (a private key's lines spread over strings): then string by string. Not for
     * personal data, whose detectors also match numbers outside strings.
     */
    private Result secretsWithoutEscapes(String text) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        String masked = maskPlain(text, false, counts);
        return masked == text || quotes(masked) == quotes(text) ? new Result(masked, counts) : null;
    }

    private static int quotes(String text) {
        int n = 0;
        for (int i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) {
            n++;
        }
        return n;
    }

    /** {@link #maskJson} string by string, parsing the document. */
    Result maskJsonStrings(String text, boolean personalData) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        StringBuilder out = null;
        int copied = 0;
        try (JsonParser p = JSON.createParser(text)) {
            JsonToken token;
            while ((token = p.nextToken()) != null) {
                if (token != JsonToken.VALUE_STRING && token != JsonToken.FIELD_NAME) {
                    continue;
                }
                String value = token == JsonToken.FIELD_NAME ? p.currentName() : p.getText();
                // most keys and values of a JSON prompt that holds one secret somewhere hold none
                String masked = personalData || TellTales.mayHoldSecret(value) ? maskPlain(value, personalData, counts) : value;
                if (masked.equals(value)) {
                    continue;
                }
                int start = (int) p.currentTokenLocation().getCharOffset(); // the opening quote
                int end = closingQuote(text, start) + 1;
                out = out == null ? new StringBuilder(text.length()) : out;
                out.append(text, copied, start).append('"');
                JsonStringEncoder.getInstance().quoteAsString(masked, out); // straight into the output, no char[] between
                out.append('"');
                copied = end;
            }
        } catch (IOException notJson) {
            return null;
        }
        if (out == null) {
            return new Result(text, counts);
        }
        return new Result(out.append(text, copied, text.length()).toString(), counts);
    }

    /** The index of the quote that closes the JSON string opening at {@code open}. */
    private static int closingQuote(String text, int open) {
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return text.length() - 1;
    }

    private record Span(int start, int end, String placeholder, String kind) {}

    /** Shorter than the shortest thing we mask ("a@b.co"): nothing to look for. */
    private static final int MIN_ENTITY_LENGTH = 6;

    /** Passes over a masked text after the first; a pass that changes nothing ends them sooner. */
    private static final int MAX_EXTRA_PASSES = 2;

    /**
     * The text with what the detectors find masked, and masked again while a match they refused touches a masked
     * one: a detector refuses a match that touches a letter or digit (a phone number glued to "xx"), and accepts it
     * once the neighbour has become a placeholder. Again too while a secret's tell-tale is left. A text handed on
     * holds nothing a detector would mask; texts whose matches stand apart (nearly all) take one pass.
     */
    private String maskPlain(String text, boolean personalData, Map<String, Integer> counts) {
        Pass pass = maskOnce(text, personalData, counts);
        for (int extra = 0; extra < MAX_EXTRA_PASSES && pass.text != text; extra++) {
            if (!pass.refusedBeside && !TellTales.mayHoldSecret(pass.text)) {
                break;
            }
            text = pass.text;
            pass = maskOnce(text, personalData, counts);
        }
        return pass.text;
    }

    /** A pass's text, and whether a match a detector refused touched one that was masked. */
    private record Pass(String text, boolean refusedBeside) {}

    /** One pass: every match masked (overlapping ones together); {@code text} itself when nothing matched. */
    private Pass maskOnce(String text, boolean personalData, Map<String, Integer> counts) {
        if (text.length() < MIN_ENTITY_LENGTH && extra.isEmpty()) {
            return new Pass(text, false);
        }
        // the per-text facts only decide which personal-data detectors may match; secrets' windows find their own prefixes
        TextFacts facts = personalData ? new TextFacts(text) : null;
        Scan scan = new Scan(text);
        for (Detector d : secrets) {
            scan.run(d, facts);
        }
        if (personalData) {
            for (Detector d : personal) {
                scan.run(d, facts);
            }
            for (ExtraPattern x : extra) {
                Matcher m = x.pattern().matcher(text);
                while (m.find()) {
                    if (m.end() > m.start()) {
                        scan.found = add(scan.found, new Span(m.start(), m.end(), "<" + x.name() + ">", x.name()), text);
                    }
                }
            }
        }
        List<Span> found = scan.found;
        if (found == null || !anyMasked(found)) {
            return new Pass(text, false); // nothing masked: a refusal alone is no reason for another pass
        }
        found.sort((a, b) -> a.start != b.start ? Integer.compare(a.start, b.start) : Integer.compare(b.end, a.end));
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Span s : found) {
            if (s.placeholder == null) {
                continue;
            }
            if (s.start < at) {
                // overlaps an earlier match (secrets were added first): masked with it, up to its own end, as what
                // sticks out is still part of something found (an e-mail address glued to a phone number, say)
                at = Math.max(at, s.end);
                continue;
            }
            out.append(text, at, s.start).append(s.placeholder);
            at = s.end;
            counts.merge(s.kind, 1, Integer::sum);
        }
        return new Pass(out.append(text, at, text.length()).toString(), refusedBeside(found));
    }

    private static boolean anyMasked(List<Span> found) {
        for (Span s : found) {
            if (s.placeholder != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a refused match overlaps a masked one or ends within two characters of it (the neighbours the checks
     * look at). One sweep over the matches sorted by start: a text of a megabyte has thousands of each.
     */
    private static boolean refusedBeside(List<Span> sorted) {
        int next = 0;
        int maskedEnd = Integer.MIN_VALUE; // the furthest end of the masked matches starting up to the refused one's end
        for (Span refused : sorted) {
            if (refused.placeholder != null) {
                continue;
            }
            for (; next < sorted.size() && sorted.get(next).start <= refused.end + 1; next++) {
                if (sorted.get(next).placeholder != null) {
                    maskedEnd = Math.max(maskedEnd, sorted.get(next).end);
                }
            }
            if (maskedEnd >= refused.start - 2) {
                return true; // at worst a masked match beyond this one counted too: one more pass, never one fewer
            }
        }
        return false;
    }

    /**
     * The detectors' matches in one text, gathered by one object whose two callbacks are made once: capturing lambdas
     * per detector and per window were a twentieth of what enrich's hop allocated.
     */
    private final class Scan {
        final String text;
        List<Span> found;
        private Detector detector;
        private final IntBinaryOperator window = this::window;
        private final IntBinaryOperator direct = this::direct;

        Scan(String text) {
            this.text = text;
        }

        void run(Detector d, TextFacts facts) {
            if (facts != null && !d.mightMatch(facts)) {
                return;
            }
            detector = d;
            d.windows(text, window);
        }

        private int window(int from, int to) {
            Detector d = detector;
            if (DirectFinders.find(d, text, from, to, direct)) {
                return 0;
            }
            Matcher m = d.pattern.matcher(text.substring(from, to));
            while (m.find()) {
                boolean group = m.groupCount() >= 1 && m.start(1) >= 0;
                int start = from + (group ? m.start(1) : m.start());
                int end = from + (group ? m.end(1) : m.end());
                if (end > start && d.accept(text, start, end)) {
                    found = add(found, new Span(start, end, d.placeholder, d.name()), text);
                } else if (d == Detector.IBAN) {
                    found = shorterIban(text, from + m.start(), from + m.end(), found);
                } else if (end > start) {
                    found = refused(found, start, end);
                }
            }
            return 0;
        }

        private int direct(int start, int end) {
            Detector d = detector;
            found = d.accept(text, start, end) ? add(found, new Span(start, end, d.placeholder, d.name()), text) : refused(found, start, end);
            return 0;
        }
    }

    /** An IBAN followed by more upper-case text: drop trailing space-separated groups until it validates. */
    private List<Span> shorterIban(String text, int start, int end, List<Span> found) {
        int cut = text.lastIndexOf(' ', end - 1);
        while (cut > start + 15) {
            if (Detector.IBAN.accept(text, start, cut)) {
                return add(found, new Span(start, cut, Detector.IBAN.placeholder, Detector.IBAN.name()), text);
            }
            cut = text.lastIndexOf(' ', cut - 1);
        }
        return found;
    }

    /** A match a detector refused (placeholder null): a reason for another pass if it touches a masked one. */
    private static List<Span> refused(List<Span> found, int start, int end) {
        return with(found, new Span(start, end, null, null));
    }

    private List<Span> add(List<Span> found, Span span, String text) {
        if (!allowed.isEmpty() && allowed.contains(text.substring(span.start, span.end))) {
            return found;
        }
        return with(found, span);
    }

    /** {@code found} with {@code span} added; the list is made on the first match (most texts have none). */
    private static List<Span> with(List<Span> found, Span span) {
        List<Span> list = found == null ? new ArrayList<>(4) : found;
        list.add(span);
        return list;
    }

    private static char firstNonSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return s.charAt(i);
            }
        }
        return ' ';
    }
}
