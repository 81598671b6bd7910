package dev.llmtrace.core.privacy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of every detector on the labelled corpus in {@code privacy/corpus.tsv}
 * (positives: one instance of the labelled kind; negatives: ids, timestamps, order numbers, prices,
 * hashes, near-misses with bad checksums …).
 */
class RedactorCorpusTest {
    record Sample(String label, boolean positive, String text) {}

    static List<Sample> corpus() throws Exception {
        List<Sample> samples = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
                RedactorCorpusTest.class.getResourceAsStream("/privacy/corpus.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", 3);
                samples.add(new Sample(f[0], f[1].equals("1"), f[2]));
            }
        }
        return samples;
    }

    @Test
    void everyDetectorIsPreciseAndFindsWhatItShould() throws Exception {
        List<Sample> samples = corpus();
        long positives = samples.stream().filter(Sample::positive).count();
        assertTrue(positives >= 300 && samples.size() - positives >= 300, "corpus size: " + positives + " / " + (samples.size() - positives));
        Redactor redactor = Redactor.defaults();
        Map<Detector, int[]> stats = new EnumMap<>(Detector.class); // tp, fp, fn
        for (Detector d : Detector.values()) {
            stats.put(d, new int[3]);
        }
        List<String> mistakes = new ArrayList<>();
        for (Sample s : samples) {
            Map<String, Integer> found = redactor.all(s.text()).counts();
            for (Detector d : Detector.values()) {
                boolean expected = s.positive() && s.label().equals(d.name());
                boolean detected = found.containsKey(d.name());
                if (expected && detected) {
                    stats.get(d)[0]++;
                } else if (detected) {
                    stats.get(d)[1]++;
                    mistakes.add("false " + d + ": " + s.text());
                } else if (expected) {
                    stats.get(d)[2]++;
                    mistakes.add("missed " + d + ": " + s.text());
                }
            }
        }
        StringBuilder report = new StringBuilder("detector            precision  recall   (tp/fp/fn)\n");
        boolean ok = true;
        for (Detector d : Detector.values()) {
            int[] c = stats.get(d);
            double precision = c[0] + c[1] == 0 ? 1 : (double) c[0] / (c[0] + c[1]);
            double recall = c[0] + c[2] == 0 ? 1 : (double) c[0] / (c[0] + c[2]);
            report.append(String.format("%-18s  %8.3f  %6.3f   (%d/%d/%d)%n", d, precision, recall, c[0], c[1], c[2]));
            ok &= precision >= 0.98 && recall >= 0.95 && c[0] > 0;
        }
        System.out.print(report);
        mistakes.stream().limit(30).forEach(System.out::println);
        assertTrue(ok, report + String.join("\n", mistakes));
    }
}
