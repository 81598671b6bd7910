package dev.llmtrace.core.otlp;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Objects;

/**
 * Whether a processed span differs from the one it came from only in its attributes, some replaced in place and some
 * appended at the end: the change enrich makes to nearly every span (cost and conventions appended, a secret masked).
 * Such a span is written as its original bytes with the replaced attributes written anew and the new ones after them
 * (protobuf appends a repeated field given again, so it parses to the processed span), and the serializer does not
 * walk and encode again the dozens of attributes and kilobytes of prompt left as they were.
 */
final class AttributeEdits {
    private AttributeEdits() {}

    /**
     * The attributes of {@code after} when they are all that differs from {@code before} and there are at least as
     * many (one that is the same object as {@code before}'s in its place is copied as it came); null otherwise.
     */
    static List<KeyValue> of(Span before, Span after) {
        List<KeyValue> is = after.getAttributesList();
        return is.size() >= before.getAttributesCount() && restEqual(before, after) ? is : null;
    }

    /** Every field but the attributes; identity first, as a span rebuilt from another shares its field objects. */
    private static boolean restEqual(Span a, Span b) {
        return a.getStartTimeUnixNano() == b.getStartTimeUnixNano()
                && a.getEndTimeUnixNano() == b.getEndTimeUnixNano()
                && a.getKindValue() == b.getKindValue()
                && a.getFlags() == b.getFlags()
                && a.getDroppedAttributesCount() == b.getDroppedAttributesCount()
                && a.getDroppedEventsCount() == b.getDroppedEventsCount()
                && a.getDroppedLinksCount() == b.getDroppedLinksCount()
                && same(a.getTraceId(), b.getTraceId())
                && same(a.getSpanId(), b.getSpanId())
                && same(a.getParentSpanId(), b.getParentSpanId())
                && same(a.getTraceState(), b.getTraceState())
                && same(a.getName(), b.getName())
                && same(a.getStatus(), b.getStatus())
                && same(a.getEventsList(), b.getEventsList())
                && same(a.getLinksList(), b.getLinksList())
                && same(a.getUnknownFields(), b.getUnknownFields());
    }

    private static boolean same(Object a, Object b) {
        return a == b || Objects.equals(a, b);
    }
}
