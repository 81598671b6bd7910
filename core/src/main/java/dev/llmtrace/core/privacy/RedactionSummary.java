package dev.llmtrace.core.privacy;

import dev.llmtrace.core.otlp.Attributes;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What happened to one span, for its summary attributes ({@code redaction.*}, as the Collector's redaction processor adds
 * them): its maps are made on the first thing to tell, since most spans have none.
 */
final class RedactionSummary {
    /** The summary's names; an attribute under it is an earlier hop's summary, never masked or counted. */
    static final String PREFIX = "redaction.";
    static final String MASKED_COUNT = "redaction.masked.count";
    static final String MASKED_KEYS = "redaction.masked.keys";
    static final String DROPPED_KEYS = "redaction.dropped.keys";

    Map<String, Integer> counts;
    List<String> maskedKeys;
    List<String> dropped;
    /** An attribute of an earlier hop's summary was seen (in the span, an event or a link). */
    boolean earlierHop;
    /**
     * The last few long texts looked at in this span, by identity, with what masking them gave (null: nothing to mask):
     * a copy of one under another name is not scanned again.
     */
    private Masked[] seen;
    private int nextSeen;

    record Masked(String text, boolean personalData, Redactor.Result result, AnyValue value) {}

    private static final int WORTH_REMEMBERING = 64;

    Masked seenBefore(String text, boolean personalData) {
        if (seen != null) {
            for (Masked m : seen) {
                if (m != null && m.text == text && m.personalData == personalData) {
                    return m;
                }
            }
        }
        return null;
    }

    void remember(String text, boolean personalData, Redactor.Result result, AnyValue value) {
        if (text.length() >= WORTH_REMEMBERING) {
            seen = seen == null ? new Masked[4] : seen; // the prompt and completion, as messages and as text
            seen[nextSeen++ & 3] = new Masked(text, personalData, result, value);
        }
    }

    /** Counts what {@code r} masked under {@code key}. */
    void masked(String key, Redactor.Result r) {
        for (Map.Entry<String, Integer> kind : r.counts().entrySet()) {
            masked(key, kind.getKey(), kind.getValue());
        }
    }

    void masked(String key, String kind, int n) {
        if (counts == null) {
            counts = new LinkedHashMap<>();
            maskedKeys = new ArrayList<>();
        }
        counts.merge(kind, n, Integer::sum);
        if (!maskedKeys.contains(key)) {
            maskedKeys.add(key);
        }
    }

    void dropped(String what) {
        if (dropped == null) {
            dropped = new ArrayList<>();
        }
        dropped.add(what);
    }

    boolean isEmpty() {
        return counts == null && dropped == null;
    }

    /**
     * Adds (or adds to) the redaction.* attributes, so two hops' summaries merge instead of repeating keys. {@code ours}:
     * the list is this processor's own copy, which takes them at its end unless an earlier hop left a summary there
     * (nearly always: copying fifty attributes again was a thirtieth of the hop's allocation).
     */
    List<KeyValue> mergeInto(List<KeyValue> attributes, boolean ours) {
        Map<String, KeyValue> earlier = null; // an earlier hop's summary attributes, which ours add to in place
        List<KeyValue> out = attributes;
        if (!ours || earlierHop && hasSummary(attributes)) {
            earlier = new LinkedHashMap<>();
            out = new ArrayList<>(attributes.size() + 6);
            for (KeyValue kv : attributes) {
                if (kv.getKey().startsWith(PREFIX)) {
                    earlier.put(kv.getKey(), kv);
                } else {
                    out.add(kv);
                }
            }
        }
        List<KeyValue> mine = new ArrayList<>(3 + (counts == null ? 0 : counts.size()));
        int total = 0;
        if (counts != null) {
            for (int n : counts.values()) {
                total += n;
            }
        }
        if (total > 0) {
            mine.add(Attributes.integer(MASKED_COUNT, total + intOf(earlier, MASKED_COUNT)));
            mine.add(strings(MASKED_KEYS, maskedKeys, earlier));
            for (Map.Entry<String, Integer> kind : counts.entrySet()) {
                String k = kindKey(kind.getKey());
                mine.add(Attributes.integer(k, kind.getValue() + intOf(earlier, k)));
            }
        }
        if (dropped != null) {
            mine.add(strings(DROPPED_KEYS, dropped, earlier));
        }
        if (earlier == null) {
            out.addAll(mine);
        } else {
            for (KeyValue kv : mine) {
                earlier.put(kv.getKey(), kv);
            }
            out.addAll(earlier.values());
        }
        return out;
    }

    /** redaction.masked.&lt;kind&gt;, made once per kind (detectors' and extra patterns' names: a bounded set). */
    private static String kindKey(String kind) {
        return KIND_KEYS.computeIfAbsent(kind, k -> "redaction.masked." + k.toLowerCase(Locale.ROOT));
    }

    private static final Map<String, String> KIND_KEYS = new ConcurrentHashMap<>();

    private static boolean hasSummary(List<KeyValue> attributes) {
        for (int i = 0; i < attributes.size(); i++) {
            if (attributes.get(i).getKey().startsWith(PREFIX)) {
                return true;
            }
        }
        return false;
    }

    private static long intOf(Map<String, KeyValue> earlier, String key) {
        KeyValue kv = earlier == null ? null : earlier.get(key);
        return kv == null ? 0 : kv.getValue().getIntValue();
    }

    private static KeyValue strings(String key, List<String> values, Map<String, KeyValue> earlierHop) {
        KeyValue earlier = earlierHop == null ? null : earlierHop.get(key);
        ArrayValue.Builder array = earlier == null ? ArrayValue.newBuilder() : earlier.getValue().getArrayValue().toBuilder();
        for (String v : values) {
            if (!contains(array, v)) {
                array.addValues(AnyValue.newBuilder().setStringValue(v));
            }
        }
        return Attributes.of(key, AnyValue.newBuilder().setArrayValue(array).build());
    }

    // a loop, not a stream: this runs for every span with a secret, and the streams were 1 % of the all-in-one's CPU
    private static boolean contains(ArrayValue.Builder array, String value) {
        for (int i = 0; i < array.getValuesCount(); i++) {
            if (array.getValues(i).getStringValue().equals(value)) {
                return true;
            }
        }
        return false;
    }
}
