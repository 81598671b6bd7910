package dev.llmtrace.export;

import dev.llmtrace.core.conventions.ContentNames;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.core.otlp.SpanAdditions;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenInference's names for what was said, from the prompt and completion a span carries in any convention: the whole
 * input and output ({@code input.value}, {@code output.value} with their mime types) and the message lists
 * ({@code llm.input_messages.N.message.role|content}, {@code llm.output_messages.N…}, {@link MessageLists}), which
 * Phoenix shows as the input, the output and the conversation. Made at export for the destinations that want them
 * (Phoenix), from the batch as enrich left it: other destinations do not carry the content two more times, and each
 * destination's privacy policy then masks or drops these like any content name. What the sender wrote is kept as is.
 */
final class OpenInferenceContent {
    private OpenInferenceContent() {}

    /** {@code request} with OpenInference's content names added to the spans that have a prompt or completion. */
    static ExportTraceServiceRequest add(ExportTraceServiceRequest request) {
        return SpanAdditions.apply(request, OpenInferenceContent::missing);
    }

    /** The content names {@code span} lacks (none when it has no prompt or completion, or has them all). */
    static List<KeyValue> missing(Span span) {
        String prompt = null;
        String completion = null;
        boolean hasInput = false;
        boolean hasOutput = false;
        boolean hasInputValue = false;
        boolean hasOutputValue = false;
        for (KeyValue kv : span.getAttributesList()) {
            String key = kv.getKey();
            hasInput |= key.startsWith(ContentNames.OPENINFERENCE_INPUT_MESSAGES);
            hasOutput |= key.startsWith(ContentNames.OPENINFERENCE_OUTPUT_MESSAGES);
            hasInputValue |= key.equals(ContentNames.INPUT_VALUE);
            hasOutputValue |= key.equals(ContentNames.OUTPUT_VALUE);
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
        List<KeyValue> added = new ArrayList<>();
        if (prompt != null && !hasInputValue) {
            added.add(Attributes.string(ContentNames.INPUT_VALUE, prompt));
            added.add(Attributes.string(ContentNames.INPUT_MIME_TYPE, ContentNames.mimeType(prompt)));
        }
        if (completion != null && !hasOutputValue) {
            added.add(Attributes.string(ContentNames.OUTPUT_VALUE, completion));
            added.add(Attributes.string(ContentNames.OUTPUT_MIME_TYPE, ContentNames.mimeType(completion)));
        }
        if (prompt != null && !hasInput) {
            flatten(added, ContentNames.OPENINFERENCE_INPUT_MESSAGES, MessageLists.input(prompt));
        }
        if (completion != null && !hasOutput) {
            flatten(added, ContentNames.OPENINFERENCE_OUTPUT_MESSAGES, MessageLists.output(completion));
        }
        return added;
    }

    private static void flatten(List<KeyValue> out, String prefix, List<MessageLists.Message> messages) {
        for (int i = 0; i < messages.size(); i++) {
            MessageLists.Message m = messages.get(i);
            out.add(Attributes.string(prefix + i + ".message.role", m.role()));
            if (m.content() != null) {
                out.add(Attributes.string(prefix + i + ".message.content", m.content()));
            }
        }
    }
}
