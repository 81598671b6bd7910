package dev.llmtrace.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedactorTest {
    final Redactor redactor = Redactor.defaults();

    @Test
    void masksOnlyTheMatchingPart() {
        Redactor.Result r = redactor.all("Mail jane.doe@example.com or call +1 415 555 0100, card 4111 1111 1111 1111.");
        assertEquals("Mail <EMAIL> or call <PHONE>, card <CREDIT_CARD>.", r.text());
        assertEquals(3, r.total());
    }

    /**
     * Two things found overlapping (here an IBAN and an e-mail address written without a space between them): what
     * sticks out of the first is masked with it. It was dropped whole, and its part beyond the first stayed in clear.
     */
    @Test
    void aMatchRunningPastAnEarlierOneIsMaskedToItsEnd() {
        Redactor.Result r = redactor.all("account FR08 0593 9032 5699 9766 8901 119-_john71@corp.co.uk, thanks");
        assertEquals("account <IBAN>, thanks", r.text());
        assertEquals(Map.of("IBAN", 1), r.counts());
    }

    /**
     * A phone number glued to an e-mail address ("…74 17xxo.reilly…"): the phone detector refuses a match that
     * touches a letter, so the first pass masks only the address; the next pass masks the number. The first pass's
     * output left "+33 1 29 82 74" in clear.
     */
    @Test
    void whatAPlaceholderFreesIsMaskedInTheSamePass() {
        Redactor.Result r = redactor.all("key=+33 1 29 82 74 17xxo.reilly69@example.com");
        assertEquals("key=<PHONE> <EMAIL>", r.text());
        assertEquals(Map.of("EMAIL", 1, "PHONE", 1), r.counts());
    }

    /**
     * What the detectors leave has nothing left for them, with personal data and without: texts glued together at
     * random from the corpus (secrets, personal data, look-alikes, JSON and header punctuation), plain and inside a
     * JSON prompt.
     */
    @Test
    void maskedTextsLeaveNothingToMaskAgain() throws Exception {
        List<RedactorCorpusTest.Sample> corpus = RedactorCorpusTest.corpus();
        String[] glue = {" ", "\n", "\"", "'", ":", "=", "key=", "Authorization: Bearer ", "{\"a\":", "}", ",", "\\n", "é", "x", "-", "/"};
        java.util.Random random = new java.util.Random(9);
        int masked = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int k = 1 + random.nextInt(4); k > 0; k--) {
                text.append(glue[random.nextInt(glue.length)]).append(corpus.get(random.nextInt(corpus.size())).text())
                        .append(glue[random.nextInt(glue.length)]);
            }
            String t = random.nextBoolean() ? text.toString()
                    : "{\"messages\":[{\"role\":\"user\",\"content\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text.toString())) + "\"}]}";
            Redactor.Result secrets = redactor.secrets(t);
            Redactor.Result all = redactor.all(t);
            masked += secrets.changed() ? 1 : 0;
            assertFalse(redactor.secrets(secrets.text()).changed(), () -> t + "\n -> " + secrets.text());
            assertFalse(redactor.all(all.text()).changed(), () -> t + "\n -> " + all.text());
        }
        assertTrue(masked > 5_000, masked + " texts had a secret masked");
    }

    @Test
    void secretsAreMaskedEvenWhenPersonalDataIsNot() {
        String key = "sk-or-v1-" + "ab".repeat(32);
        Redactor.Result r = redactor.secrets("key " + key + " for jane@example.com");
        assertEquals("key <OPENROUTER_KEY> for jane@example.com", r.text());
        assertEquals("Authorization: Bearer <CREDENTIAL>", redactor.secrets("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345").text());
    }

    @Test
    void jsonStringsStayValidJson() throws Exception {
        String prompt = "{\"messages\": [{\"role\": \"user\", \"content\": \"My email is jane.doe@example.com and key "
                + "sk-or-v1-" + "ab".repeat(32) + "\\nthanks \\\"quoted\\\"\"}]}";
        Redactor.Result r = redactor.all(prompt);
        assertTrue(r.text().contains("<EMAIL>") && r.text().contains("<OPENROUTER_KEY>"), r.text());
        try (JsonParser p = new JsonFactory().createParser(r.text())) {
            while (p.nextToken() != null) {
                // parses to the end: still valid JSON
            }
        }
        assertTrue(r.text().contains("\\\"quoted\\\""), "escapes kept: " + r.text());
    }

    @Test
    void jsonKeepsItsFormattingOutsideTheMaskedStrings() {
        String prompt = "{\"messages\": [\n  {\"role\": \"user\", \"content\": \"mail \\u00e9 jane@example.com\"},\n  {\"note\": \"tab\\there\"}\n]}";
        assertEquals("{\"messages\": [\n  {\"role\": \"user\", \"content\": \"mail \u00e9 <EMAIL>\"},\n  {\"note\": \"tab\\there\"}\n]}",
                redactor.all(prompt).text());
    }

    @Test
    void allowListAndExtraPatterns() {
        Redactor custom = new Redactor(EnumSet.allOf(Detector.class),
                List.of(Redactor.ExtraPattern.compile("employee_id", "EMP-[0-9]{6}")), Set.of("support@example.com"));
        assertEquals("write to support@example.com, not <EMAIL>, re <EMPLOYEE_ID>",
                custom.all("write to support@example.com, not jane@example.com, re EMP-123456").text());
        assertThrows(IllegalArgumentException.class, () -> Redactor.ExtraPattern.compile("bad", "(?<=x)y"), "lookbehind is not linear-time");
        assertThrows(IllegalArgumentException.class, () -> Redactor.ExtraPattern.compile("bad name!", "x"));
    }

    @Test
    void onlyTheConfiguredPersonalDataDetectorsRun() {
        Redactor emailOnly = new Redactor(EnumSet.of(Detector.EMAIL), List.of(), Set.of());
        assertEquals("<EMAIL> 4111 1111 1111 1111", emailOnly.all("a@example.com 4111 1111 1111 1111").text());
    }

    @Test
    void adversarialMegabyteInputsDoNotStall() {
        int n = 1 << 20;
        List<String> attacks = List.of(
                "a".repeat(n) + "@",
                "a.".repeat(n / 2) + "@x",
                "1".repeat(n),
                "1-".repeat(n / 2),
                "sk-" + "a".repeat(n),
                "-----BEGIN PRIVATE KEY-----" + "A".repeat(n),
                "eyJ" + "a".repeat(n) + ".eyJ",
                "eyJ".repeat(n / 3),
                "sk-".repeat(n / 3),
                "a@".repeat(n / 2),
                "AKIA".repeat(n / 4),
                ":".repeat(n),
                "Bearer " + "x".repeat(n),
                "DE89 " + "1 ".repeat(n / 2),
                "+1 " + "(1".repeat(n / 2));
        for (String attack : attacks) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> redactor.all(attack),
                    "linear time on " + attack.substring(0, 20) + "…");
        }
        assertFalse(redactor.all("1".repeat(n)).changed());
    }

    /**
     * The one-pass pre-check for secrets may only skip texts in which no secret detector could match: those without
     * any detector's tell-tale, and those too short for any secret ({@link #noTextShorterThanTheShortestSecretIsMasked}).
     */
    @Test
    void secretPreCheckNeverSkipsWhatADetectorCouldFind() throws Exception {
        Redactor redactor = Redactor.defaults();
        for (RedactorCorpusTest.Sample sample : RedactorCorpusTest.corpus()) {
            TextFacts facts = new TextFacts(sample.text());
            for (Detector d : Detector.values()) {
                if (d.isSecret() && d.mightMatch(facts) && sample.text().length() >= TellTales.SHORTEST_SECRET) {
                    assertTrue(TellTales.mayHoldSecret(sample.text()), d + " might match, the pre-check skipped: " + sample.text());
                }
            }
            if (sample.positive() && Detector.valueOf(sample.label()).isSecret()) {
                assertTrue(redactor.secrets(sample.text()).changed(), sample.text());
                String json = "{\"content\": " + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                        .quoteAsString(sample.text())) + "}";
                assertTrue(redactor.secrets(json).changed(), json);
            }
        }
        assertFalse(TellTales.mayHoldSecret("{\"role\": \"user\", \"content\": \"What is the capital of France? Answer briefly.\"}"));
    }

    /**
     * The pre-check and the detector's windows find an auth word in any case, with the 'ſ' that the detector's
     * {@code (?i)} takes for an 's' too, and a hex key's many "ba" are none.
     */
    @Test
    void authWordsAreFoundInAnyCase() {
        Redactor redactor = Redactor.defaults();
        String token = "abcdefghijklmnopqrstuvwxyz012345";
        for (String word : List.of("Bearer", "bearer", "BEARER", "bEaReR", "Basic", "basic", "BASIC", "ba\u017Fic")) {
            assertEquals("Authorization: " + word + " <CREDENTIAL>", redactor.secrets("Authorization: " + word + " " + token).text(), word);
        }
        assertFalse(TellTales.mayHoldSecret("abababababababababababababababababababababababababab ba bab bas bea b"));
        assertTrue(TellTales.mayHoldSecret("ab".repeat(40) + " basic"));
    }

    /**
     * The pre-check's length floor holds for the detectors as they are: no piece shorter than {@link TellTales#SHORTEST_SECRET}
     * of any secret in the corpus is masked when the pre-check is bypassed, and the shortest secret (an AWS key id) is
     * exactly that long.
     */
    @Test
    void noTextShorterThanTheShortestSecretIsMasked() throws Exception {
        Redactor redactor = Redactor.defaults();
        int checked = 0;
        for (RedactorCorpusTest.Sample sample : RedactorCorpusTest.corpus()) {
            if (!sample.positive() || !Detector.valueOf(sample.label()).isSecret()) {
                continue;
            }
            String text = sample.text();
            for (int length = 1; length < TellTales.SHORTEST_SECRET; length++) {
                for (int from = 0; from + length <= text.length(); from++) {
                    String piece = text.substring(from, from + length);
                    assertFalse(redactor.maskChecked(piece, false).changed(), piece);
                    checked++;
                }
            }
        }
        assertTrue(checked > 1000, "pieces checked: " + checked);
        assertEquals("<AWS_ACCESS_KEY>", redactor.secrets("AKIAQWERTYUIOPASDFGH").text());
        assertEquals(TellTales.SHORTEST_SECRET, "AKIAQWERTYUIOPASDFGH".length());
    }

    /** Short texts take the one-pass pre-check, long ones the indexOf passes: both give the same answer on any text. */
    @Test
    void bothWaysOfThePreCheckAgree() throws Exception {
        String[] pieces = {"sk-", "s", "k-", "eyJ", "ey", "\\u", "\\", "PRIVATE KEY-----", "PRIVATE", "_", "gh", "github_pat_", "git",
            "AKIA", "ASIA", "AB", "ACCA", "A", "bearer", "Basic", "BEARER ", "be", "ba", "b", "B", "x", " ", "é", "😀", "model"};
        java.util.Random random = new java.util.Random(13);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(8); k > 0; k--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String t = text.toString();
            assertEquals(TellTales.mayHoldSecretByIndexOf(t), TellTales.mayHoldSecretInOnePass(t), t);
        }
        for (RedactorCorpusTest.Sample sample : RedactorCorpusTest.corpus()) {
            assertEquals(TellTales.mayHoldSecretByIndexOf(sample.text()), TellTales.mayHoldSecretInOnePass(sample.text()), sample.text());
        }
    }

    /** A JSON escape can spell a secret's tell-tale; the decoded string is still masked. */
    @Test
    void secretSpelledWithJsonEscapesIsStillMasked() {
        String key = "sk-proj-60CDH_ZVut9EYS_XbXyHmU2XXGuewIXeMJAsyRgzSv7keb8dDyYHo3SV5OuqBTJxbPgpdbbjy";
        String json = "{\"content\": \"key \\u0073k\\u002d" + key.substring(3) + "\"}";
        Redactor.Result result = Redactor.defaults().secrets(json);
        assertEquals(1, result.counts().get("OPENAI_KEY"), result.text());
        assertFalse(result.text().contains(key.substring(3)), result.text());
    }

    /** Secrets inside JSON are masked string by string without a parse; everything around them stays byte for byte. */
    @Test
    void secretsInJsonStringsAreMaskedInPlace() throws Exception {
        Redactor redactor = Redactor.defaults();
        com.fasterxml.jackson.core.io.JsonStringEncoder quote = com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance();
        int checked = 0;
        for (RedactorCorpusTest.Sample sample : RedactorCorpusTest.corpus()) {
            if (!sample.positive() || !Detector.valueOf(sample.label()).isSecret()) {
                continue;
            }
            String secret = "\"" + new String(quote.quoteAsString(sample.text())) + "\"";
            String masked = "\"" + new String(quote.quoteAsString(redactor.secrets(sample.text()).text())) + "\"";
            String json = "{\"messages\": [1, 2.5e3, true, null, {\"role\": \"user\", \"content\": " + secret + "}],\n  " + secret + ": \"x\"}";
            Redactor.Result result = redactor.secrets(json);
            assertEquals(json.replace(secret, masked), result.text(), sample.text());
            assertEquals(2, result.total(), json);
            checked++;
        }
        assertTrue(checked > 50, "secret samples: " + checked);
    }

    /**
     * A document without escapes has its secrets looked for in the whole text at once: the same text and counts as
     * parsing it and masking string by string, wherever the corpus's samples sit (keys, values, beside numbers and
     * literals, two in one string, a private key spread over strings), and in documents that are not JSON at all.
     */
    @Test
    void secretsOfAWholeDocumentAreThoseOfEachOfItsStrings() throws Exception {
        Redactor redactor = Redactor.defaults();
        String key = "sk-or-v1-" + "ab".repeat(32);
        List<String> texts = new java.util.ArrayList<>();
        for (RedactorCorpusTest.Sample sample : RedactorCorpusTest.corpus()) {
            String t = sample.text();
            if (t.indexOf('\\') >= 0 || t.indexOf('"') >= 0 || t.chars().anyMatch(c -> c < 0x20)) {
                continue; // they would need escapes: those documents go string by string anyway
            }
            texts.add("{\"messages\": [{\"role\": \"user\", \"content\": \"" + t + "\"}]}");
            texts.add("{\"" + t + "\": [1, -2.5e3, true, null, \"" + t + " " + key + "\"], \"n\": 42}");
            texts.add("[\"" + t + "\",\"" + t + "\"]");
            texts.add("{\"a\":\"Bearer\",\"b\":\"" + t + "\"}");
            texts.add("{ not json: " + t + " \"" + t + "\" ]");
        }
        String pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
        texts.add("[\"" + pem.replace("\n", "\", \"") + "\"]");
        texts.add("[\"-----BEGIN PRIVATE KEY-----\", 1, \"x -----END PRIVATE KEY-----\"]");
        texts.add("{\"k\": \"AKIAABCDEFGHIJKLMNOP\", \"AKIAABCDEFGHIJKLMNOQ\": 1}");
        int changed = 0;
        for (String json : texts) {
            Redactor.Result whole = redactor.secrets(json);
            Redactor.Result byString = redactor.maskJsonStrings(json, false);
            if (byString == null) { // not JSON: masked as plain text, as before
                continue;
            }
            assertEquals(byString.text(), whole.text(), json);
            assertEquals(byString.counts(), whole.counts(), json);
            changed += whole.changed() ? 1 : 0;
        }
        assertTrue(changed > 100, "documents with a secret: " + changed + " of " + texts.size());
        String spread = "[\"-----BEGIN PRIVATE KEY-----\", \"-----END PRIVATE KEY-----\"]";
        assertEquals(spread, redactor.secrets(spread).text(), "a match across strings is no secret of any one string");
    }

    /** Text that only looks like JSON, with a secret outside any string, is masked as plain text. */
    @Test
    void secretOutsideJsonStringsIsMaskedAsPlainText() {
        String key = "sk-proj-60CDH_ZVut9EYS_XbXyHmU2XXGuewIXeMJAsyRgzSv7keb8dDyYHo3SV5OuqBTJxbPgpdbbjy";
        Redactor.Result result = Redactor.defaults().secrets("{ token: " + key + ", \"note\": \"fine\" }");
        assertEquals("{ token: <OPENAI_KEY>, \"note\": \"fine\" }", result.text());
        Redactor.Result unbalanced = Redactor.defaults().secrets("[\"" + key + " and no closing quote]");
        assertFalse(unbalanced.text().contains(key), unbalanced.text());
    }
}
