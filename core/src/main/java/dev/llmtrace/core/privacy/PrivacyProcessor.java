package dev.llmtrace.core.privacy;

import dev.llmtrace.core.conventions.ContentNames;

import dev.llmtrace.core.SpanProcessor;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Applies a {@link PrivacyPolicy} to a request, as a pure function. Content attributes (all three
 * conventions) and content events are kept, masked or dropped; every other string attribute has its
 * secrets masked; ids listed in {@code hashAttributes} become a keyed HMAC-SHA256 under mask and drop,
 * so per-user analysis still works. Spans that changed get summary attributes as the Collector's
 * redaction processor adds them ({@code redaction.masked.count}, {@code redaction.masked.keys}, and a
 * count per kind).
 */
public final class PrivacyProcessor implements SpanProcessor {
    private static final String HASHED = "hmac-sha256:";

    private final PrivacyPolicy policy;
    private final Redactor redactor;
    private final Set<String> hashAttributes;
    private final ThreadLocal<Mac> hmac;

    public PrivacyProcessor(PrivacyPolicy policy, Redactor redactor, Set<String> hashAttributes, byte[] hmacKey) {
        this.policy = policy;
        this.redactor = redactor;
        this.hashAttributes = Set.copyOf(hashAttributes);
        if (!hashAttributes.isEmpty() && policy != PrivacyPolicy.FULL && (hmacKey == null || hmacKey.length < 16)) {
            throw new IllegalArgumentException("hash-attributes needs a hash key of at least 16 bytes (hash-key or hash-key-file)");
        }
        this.hmac = hmacKey == null ? null : ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public PrivacyPolicy policy() {
        return policy;
    }

    /** See {@link ContentNames#isContent}: the one list of content names. */
    public static boolean isContent(String key) {
        return ContentNames.isContent(key);
    }

    // resource and scope carry no summary of their own: what is masked there is counted on no span
    @Override
    public Resource resource(Resource resource, String tenant) {
        List<KeyValue> attributes = attributes(resource.getAttributesList(), new RedactionSummary());
        return attributes == null ? resource : resource.toBuilder().clearAttributes().addAllAttributes(attributes).build();
    }

    @Override
    public InstrumentationScope scope(InstrumentationScope scope, String tenant) {
        List<KeyValue> attributes = attributes(scope.getAttributesList(), new RedactionSummary());
        return attributes == null ? scope : scope.toBuilder().clearAttributes().addAllAttributes(attributes).build();
    }

    /**
     * One span after the policy. Besides attributes, every other text a sender controls has its secrets
     * masked: the span's and its events' names, the status message, and event and link attributes.
     */
    @Override
    public Span span(Span span, String tenant) {
        RedactionSummary summary = new RedactionSummary();
        List<KeyValue> attributes = attributes(span.getAttributesList(), summary);
        String name = secrets(span.getName(), "span.name", summary);
        String statusMessage = secrets(span.getStatus().getMessage(), "status.message", summary);
        List<Span.Event> events = events(span, summary);
        List<Span.Link> links = null;
        for (int l = 0; l < span.getLinksCount(); l++) {
            Span.Link link = span.getLinks(l);
            List<KeyValue> linkAttributes = attributes(link.getAttributesList(), summary);
            if (linkAttributes != null && links == null) {
                links = new ArrayList<>(span.getLinksList());
            }
            if (linkAttributes != null) {
                links.set(l, link.toBuilder().clearAttributes().addAllAttributes(linkAttributes).build());
            }
        }
        if (summary.isEmpty()) {
            return span;
        }
        Span.Builder b = span.toBuilder();
        List<KeyValue> all = attributes != null ? attributes : span.getAttributesList();
        b.clearAttributes().addAllAttributes(summary.mergeInto(all, attributes != null));
        b.setName(name);
        if (!statusMessage.equals(span.getStatus().getMessage())) {
            b.getStatusBuilder().setMessage(statusMessage);
        }
        if (events != null) {
            b.clearEvents().addAllEvents(events);
        }
        if (links != null) {
            b.clearLinks().addAllLinks(links);
        }
        return b.build();
    }

    /** The span's events after the policy (content events dropped under drop), or null when none changed. */
    private List<Span.Event> events(Span span, RedactionSummary summary) {
        List<Span.Event> events = null;
        for (int e = 0; e < span.getEventsCount(); e++) {
            Span.Event event = span.getEvents(e);
            if (policy == PrivacyPolicy.DROP && ContentNames.isContentEvent(event.getName())) {
                summary.dropped("event:" + event.getName());
                events = events == null ? new ArrayList<>(span.getEventsList().subList(0, e)) : events;
                continue;
            }
            List<KeyValue> eventAttributes = attributes(event.getAttributesList(), summary);
            String eventName = secrets(event.getName(), "event.name", summary);
            Span.Event kept = event;
            if (eventAttributes != null || !eventName.equals(event.getName())) {
                Span.Event.Builder changed = event.toBuilder().setName(eventName);
                if (eventAttributes != null) {
                    changed.clearAttributes().addAllAttributes(eventAttributes);
                }
                kept = changed.build();
            }
            if (kept != event && events == null) {
                events = new ArrayList<>(span.getEventsList().subList(0, e));
            }
            if (events != null) {
                events.add(kept);
            }
        }
        return events;
    }

    /** {@code text} with its secrets masked (counted under {@code where}), or itself when it holds none. */
    private String secrets(String text, String where, RedactionSummary summary) {
        if (!redactor.mayChange(text, false)) {
            return text;
        }
        Redactor.Result r = redactor.maskChecked(text, false);
        summary.masked(where, r);
        return r.changed() ? r.text() : text;
    }

    /** The attributes after the policy, or null when none changed. */
    private List<KeyValue> attributes(List<KeyValue> attributes, RedactionSummary summary) {
        List<KeyValue> out = null;
        for (int i = 0; i < attributes.size(); i++) {
            KeyValue kv = attributes.get(i);
            KeyValue after = attribute(kv, summary);
            if (after != kv && out == null) {
                out = new ArrayList<>(attributes.size() + 8); // room for the summary without growing
                out.addAll(attributes.subList(0, i));
            }
            if (out != null && after != null) {
                out.add(after);
            }
        }
        return out;
    }

    /** One attribute after the policy: itself, a changed copy, or null (dropped). */
    private KeyValue attribute(KeyValue kv, RedactionSummary summary) {
        String key = kv.getKey();
        if (key.startsWith(RedactionSummary.PREFIX)) {
            summary.earlierHop = true;
            return kv; // our own summary from an earlier hop
        }
        boolean content = isContent(key);
        if (content && policy == PrivacyPolicy.DROP) {
            summary.dropped(key);
            return null;
        }
        if (policy != PrivacyPolicy.FULL && hmac != null && hashAttributes.contains(key)
                && kv.getValue().getValueCase() == AnyValue.ValueCase.STRING_VALUE
                && !kv.getValue().getStringValue().startsWith(HASHED)) { // hashed by an earlier hop: once is enough
            summary.masked(key, "HASHED", 1);
            return kv.toBuilder().setValue(AnyValue.newBuilder().setStringValue(hash(kv.getValue().getStringValue()))).build();
        }
        boolean personalData = content && policy == PrivacyPolicy.MASK;
        AnyValue value = value(kv.getValue(), personalData, key, summary);
        return value == kv.getValue() ? kv : kv.toBuilder().setValue(value).build();
    }

    private AnyValue value(AnyValue v, boolean personalData, String key, RedactionSummary summary) {
        switch (v.getValueCase()) {
            case STRING_VALUE -> {
                String text = v.getStringValue();
                // the same text under another name (conventions copies the prompt and the completion) is looked at
                // once, and what it masked counted under both
                RedactionSummary.Masked earlier = summary.seenBefore(text, personalData);
                Redactor.Result r; // null: surely nothing to mask
                AnyValue after;
                if (earlier != null) {
                    r = earlier.result();
                    after = earlier.value();
                } else {
                    r = redactor.mayChange(text, personalData) ? redactor.maskChecked(text, personalData) : null;
                    after = r != null && r.changed() ? AnyValue.newBuilder().setStringValue(r.text()).build() : null;
                    summary.remember(text, personalData, r, after);
                }
                if (r != null) {
                    summary.masked(key, r);
                }
                return after == null ? v : after;
            }
            case ARRAY_VALUE -> {
                ArrayValue.Builder array = null;
                for (int i = 0; i < v.getArrayValue().getValuesCount(); i++) {
                    AnyValue item = v.getArrayValue().getValues(i);
                    AnyValue after = value(item, personalData, key, summary);
                    if (after != item && array == null) {
                        array = v.getArrayValue().toBuilder();
                    }
                    if (array != null) {
                        array.setValues(i, after);
                    }
                }
                return array == null ? v : AnyValue.newBuilder().setArrayValue(array).build();
            }
            case KVLIST_VALUE -> {
                KeyValueList.Builder list = null;
                for (int i = 0; i < v.getKvlistValue().getValuesCount(); i++) {
                    KeyValue item = v.getKvlistValue().getValues(i);
                    AnyValue after = value(item.getValue(), personalData, key, summary);
                    if (after != item.getValue() && list == null) {
                        list = v.getKvlistValue().toBuilder();
                    }
                    if (list != null && after != item.getValue()) {
                        list.setValues(i, item.toBuilder().setValue(after));
                    }
                }
                return list == null ? v : AnyValue.newBuilder().setKvlistValue(list).build();
            }
            default -> {
                return v;
            }
        }
    }

    private String hash(String value) {
        return HASHED + HexFormat.of().formatHex(hmac.get().doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }
}
