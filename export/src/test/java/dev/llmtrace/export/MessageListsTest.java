package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.core.otlp.OtlpJson;
import dev.llmtrace.core.privacy.PrivacyPolicy;
import dev.llmtrace.core.privacy.PrivacyProcessor;
import dev.llmtrace.core.privacy.Redactor;
import dev.llmtrace.export.MessageLists.Message;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Prompts and completions of each convention as OpenInference message lists, for Phoenix. */
class MessageListsTest {
    @Test
    void readsEachConventionsShape() {
        assertEquals(List.of(new Message("system", "Be brief."), new Message("user", "Hi")),
                MessageLists.input("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]}"));
        assertEquals(List.of(new Message("assistant", "Hello")),
                MessageLists.output("{\"completion\": \"Hello\", \"reasoning\": null, \"toolCalls\": []}"), "OpenRouter Broadcast");
        assertEquals(List.of(new Message("user", "a\nb")),
                MessageLists.input("[{\"role\": \"user\", \"parts\": [{\"type\": \"text\", \"content\": \"a\"}, {\"type\": \"text\", \"content\": \"b\"}]}]"),
                "OTel GenAI gen_ai.input.messages");
        assertEquals(List.of(new Message("assistant", "ok")),
                MessageLists.output("[{\"role\": \"assistant\", \"parts\": [{\"type\": \"text\", \"content\": \"ok\"}], \"finish_reason\": \"stop\"}]"),
                "OTel GenAI gen_ai.output.messages");
        assertEquals(List.of(new Message("user", "look")),
                MessageLists.input("[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"look\"}, {\"type\": \"image_url\", \"image_url\": {}}]}]"),
                "OpenAI content parts: text only");
        assertEquals(List.of(new Message("assistant", "yes")),
                MessageLists.output("{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\": \"yes\"}}]}"));
        assertEquals(List.of(new Message("assistant", null)),
                MessageLists.output("[{\"role\": \"assistant\", \"parts\": [{\"type\": \"tool_call\", \"name\": \"f\"}]}]"), "a tool call has no text");
    }

    @Test
    void plainTextIsOneMessageBrokenJsonNoneAndManyAreBounded() {
        assertEquals(List.of(new Message("user", "What is 2+2?")), MessageLists.input("What is 2+2?"));
        assertEquals(List.of(new Message("assistant", "4")), MessageLists.output("4"));
        assertEquals(List.of(), MessageLists.input("{\"messages\": [ broken"));
        assertEquals(List.of(), MessageLists.input("{\"something\": \"else\"}"), "an unknown shape gives nothing, not a guess");
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            json.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"m").append(i).append("\"}");
        }
        assertEquals(MessageLists.MAX_MESSAGES, MessageLists.input(json.append(']').toString()).size());
    }

    @Test
    void aBroadcastSpanGetsMessagesThatEveryPolicyCovers() {
        Span after = only(OpenInferenceContent.add(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL))));
        assertEquals("system", string(after, "llm.input_messages.0.message.role"));
        assertEquals("You are a support bot.", string(after, "llm.input_messages.0.message.content"));
        assertEquals("user", string(after, "llm.input_messages.1.message.role"));
        assertTrue(string(after, "llm.input_messages.1.message.content").contains("jane.doe@example.com"));
        assertEquals("Thanks Jane, I cannot see card numbers. Call +1 415 555 0100.", string(after, "llm.output_messages.0.message.content"));
        assertTrue(attr(after, "llm.input_messages.2.message.role").isEmpty());
        assertEquals(string(after, "gen_ai.prompt"), string(after, "input.value"));
        assertEquals(string(after, "gen_ai.completion"), string(after, "output.value"));
        assertEquals("application/json", string(after, "input.mime_type"));
        assertEquals("application/json", string(after, "output.mime_type"));

        Span masked = only(new PrivacyProcessor(PrivacyPolicy.MASK, Redactor.defaults(), Set.of(), null).process(request(after), "t"));
        String user = string(masked, "llm.input_messages.1.message.content");
        assertFalse(user.contains("jane.doe@example.com") || user.contains("sk-or-v1-abab"), user);
        assertFalse(string(masked, "llm.output_messages.0.message.content").contains("555 0100"));
        assertFalse(string(masked, "input.value").contains("jane.doe@example.com"));
        assertFalse(string(masked, "output.value").contains("555 0100"));
        Span dropped = only(new PrivacyProcessor(PrivacyPolicy.DROP, Redactor.defaults(), Set.of(), null).process(request(after), "t"));
        assertTrue(dropped.getAttributesList().stream().map(KeyValue::getKey)
                .noneMatch(k -> k.startsWith("llm.input_messages.") || k.startsWith("llm.output_messages.") || k.endsWith(".value")));
    }

    @Test
    void listsTheSenderWroteAreKeptAndOtherSpansUntouched() {
        ExportTraceServiceRequest openInference = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT));
        assertSame(openInference, OpenInferenceContent.add(openInference), "it has its lists: nothing to add");
        ExportTraceServiceRequest plain = request(Span.newBuilder().setName("GET /health").addAttributes(Attributes.string("http.method", "GET")).build());
        assertSame(plain, OpenInferenceContent.add(plain));
        Span otel = only(OpenInferenceContent.add(request(Span.newBuilder().setName("chat gpt-4o")
                .addAttributes(Attributes.string("gen_ai.input.messages", "[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]"))
                .build())));
        assertEquals("hi", string(otel, "llm.input_messages.0.message.content"));
        assertEquals("application/json", string(otel, "input.mime_type"));
        assertTrue(attr(otel, "output.value").isEmpty(), "no completion, no output");
        Span copied = only(OpenInferenceContent.add(request(Span.newBuilder().setName("chat")
                .addAttributes(Attributes.string("gen_ai.prompt", "hello"))
                .addAttributes(Attributes.string("input.value", "the sender's own"))
                .build())));
        assertEquals("the sender's own", string(copied, "input.value"), "a name the sender wrote is kept");
        assertEquals(1, copied.getAttributesList().stream().filter(kv -> kv.getKey().equals("input.value")).count());
        assertTrue(attr(copied, "input.mime_type").isEmpty());
        assertEquals("hello", string(copied, "llm.input_messages.0.message.content"));
    }

    static ExportTraceServiceRequest request(Span span) {
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build();
    }

    static Span only(ExportTraceServiceRequest r) {
        return r.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    }

    static Optional<String> attr(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue()).findFirst();
    }

    static String string(Span span, String key) {
        return attr(span, key).orElseThrow(() -> new AssertionError("no " + key));
    }
}
