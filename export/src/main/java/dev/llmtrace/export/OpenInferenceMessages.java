package dev.llmtrace.export;

import dev.llmtrace.core.conventions.ContentNames;
import dev.llmtrace.core.otlp.Attributes;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;

/**
 * OpenInference's message lists ({@code llm.input_messages.N.message.role|content}, {@code llm.output_messages.N…}),
 * which Phoenix shows as the conversation, from the prompt and completion a span carries in any convention
 * ({@link MessageLists}). Made at export for the destinations that want them (Phoenix), from the batch as enrich
 * left it: other destinations do not carry the content a third time, and each destination's privacy policy then
 * masks or drops the lists like any content name. Lists the sender wrote are kept as they are.
 */
final class OpenInferenceMessages {
    private OpenInferenceMessages() {}

    /** {@code request} with message lists added to the spans that have a prompt or completion and no lists. */
    static ExportTraceServiceRequest add(ExportTraceServiceRequest request) {
        ExportTraceServiceRequest.Builder out = null;
        for (int r = 0; r < request.getResourceSpansCount(); r++) {
            ResourceSpans rs = request.getResourceSpans(r);
            for (int s = 0; s < rs.getScopeSpansCount(); s++) {
                ScopeSpans ss = rs.getScopeSpans(s);
                for (int i = 0; i < ss.getSpansCount(); i++) {
                    Span span = ss.getSpans(i);
                    Span with = withMessages(span);
                    if (with != span) {
                        if (out == null) {
                            out = request.toBuilder();
                        }
                        out.getResourceSpansBuilder(r).getScopeSpansBuilder(s).setSpans(i, with);
                    }
                }
            }
        }
        return out == null ? request : out.build();
    }

    static Span withMessages(Span span) {
        String prompt = null;
        String completion = null;
        boolean hasInput = false;
        boolean hasOutput = false;
        for (KeyValue kv : span.getAttributesList()) {
            String key = kv.getKey();
            hasInput |= key.startsWith(ContentNames.OPENINFERENCE_INPUT_MESSAGES);
            hasOutput |= key.startsWith(ContentNames.OPENINFERENCE_OUTPUT_MESSAGES);
            if (kv.getValue().getValueCase() != AnyValue.ValueCase.STRING_VALUE || kv.getValue().getStringValue().isEmpty()) {
                continue;
            }
            switch (key) {
                case ContentNames.PROMPT, ContentNames.INPUT_MESSAGES -> prompt = prompt == null ? kv.getValue().getStringValue() : prompt;
                case ContentNames.COMPLETION, ContentNames.OUTPUT_MESSAGES ->
                        completion = completion == null ? kv.getValue().getStringValue() : completion;
                default -> { }
            }
        }
        List<MessageLists.Message> input = prompt == null || hasInput ? List.of() : MessageLists.input(prompt);
        List<MessageLists.Message> output = completion == null || hasOutput ? List.of() : MessageLists.output(completion);
        if (input.isEmpty() && output.isEmpty()) {
            return span;
        }
        Span.Builder b = span.toBuilder();
        flatten(b, ContentNames.OPENINFERENCE_INPUT_MESSAGES, input);
        flatten(b, ContentNames.OPENINFERENCE_OUTPUT_MESSAGES, output);
        return b.build();
    }

    private static void flatten(Span.Builder span, String prefix, List<MessageLists.Message> messages) {
        for (int i = 0; i < messages.size(); i++) {
            MessageLists.Message m = messages.get(i);
            span.addAttributes(Attributes.string(prefix + i + ".message.role", m.role()));
            if (m.content() != null) {
                span.addAttributes(Attributes.string(prefix + i + ".message.content", m.content()));
            }
        }
    }
}
