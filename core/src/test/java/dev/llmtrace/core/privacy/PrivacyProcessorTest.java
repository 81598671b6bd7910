package dev.llmtrace.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmtrace.core.Fixtures;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrivacyProcessorTest {
    static final String FIXTURE_KEY = "sk-or-v1-" + "ab".repeat(32);
    static final byte[] KEY = "0123456789abcdef-test-key".getBytes(StandardCharsets.UTF_8);

    static Span run(PrivacyPolicy policy) {
        PrivacyProcessor p = new PrivacyProcessor(policy, Redactor.defaults(), Set.of("user.id"), KEY);
        ExportTraceServiceRequest out = p.process(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)), "t");
        return out.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    }

    static Optional<AnyValue> attr(Span span, String key) {
        return span.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
    }

    @Test
    void fullKeepsContentButNeverSecrets() throws Exception {
        Span span = run(PrivacyPolicy.FULL);
        String prompt = attr(span, "gen_ai.prompt").get().getStringValue();
        assertTrue(prompt.contains("jane.doe@example.com"), "full keeps personal data");
        assertFalse(prompt.contains(FIXTURE_KEY));
        assertTrue(prompt.contains("<OPENROUTER_KEY>"));
        new ObjectMapper().readTree(prompt); // still JSON
        assertEquals(1, attr(span, "redaction.masked.count").get().getIntValue());
        assertEquals("user_12345", attr(span, "user.id").get().getStringValue(), "ids are hashed only under mask and drop");
    }

    @Test
    void maskMasksPersonalDataInsideContentAndHashesIds() throws Exception {
        Span span = run(PrivacyPolicy.MASK);
        String prompt = attr(span, "gen_ai.prompt").get().getStringValue();
        String completion = attr(span, "gen_ai.completion").get().getStringValue();
        var json = new ObjectMapper().readTree(prompt);
        assertEquals("My email is <EMAIL> and my card is <CREDIT_CARD>. Key <OPENROUTER_KEY> stopped working.",
                json.get("messages").get(1).get("content").asText());
        assertTrue(new ObjectMapper().readTree(completion).get("completion").asText().contains("Call <PHONE>."), completion);
        assertTrue(attr(span, "user.id").get().getStringValue().startsWith("hmac-sha256:"));
        assertEquals(run(PrivacyPolicy.MASK).getAttributesList(), span.getAttributesList(), "keyed hash is stable");
        assertEquals(5, attr(span, "redaction.masked.count").get().getIntValue());
        assertEquals(1, attr(span, "redaction.masked.email").get().getIntValue());
        assertEquals(1, attr(span, "redaction.masked.credit_card").get().getIntValue());
        assertEquals("session_abc", attr(span, "session.id").get().getStringValue());
        assertEquals(0.00885, attr(span, "gen_ai.usage.total_cost").get().getDoubleValue());
    }

    @Test
    void aTextCopiedUnderAnotherNameIsMaskedAndCountedUnderBoth() {
        Span original = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
        AnyValue prompt = attr(original, "gen_ai.prompt").get();
        // the same String object under a second name, as enrich's conventions step copies it to input.value
        Span copied = original.toBuilder().addAttributes(KeyValue.newBuilder().setKey("input.value")
                .setValue(AnyValue.newBuilder().setStringValue(prompt.getStringValue()))).build();
        for (PrivacyPolicy policy : PrivacyPolicy.values()) {
            Span span = new PrivacyProcessor(policy, Redactor.defaults(), Set.of(), null).span(copied, "t");
            Span alone = new PrivacyProcessor(policy, Redactor.defaults(), Set.of(), null).span(original, "t");
            assertEquals(attr(span, "gen_ai.prompt"), attr(span, "input.value"), policy.name());
            if (policy == PrivacyPolicy.DROP) {
                assertTrue(attr(span, "input.value").isEmpty());
                continue;
            }
            assertFalse(attr(span, "input.value").get().getStringValue().contains(FIXTURE_KEY), policy.name());
            Redactor.Result promptAlone = policy == PrivacyPolicy.MASK ? Redactor.defaults().all(prompt.getStringValue())
                    : Redactor.defaults().secrets(prompt.getStringValue());
            assertEquals(attr(alone, "redaction.masked.count").get().getIntValue() + promptAlone.total(),
                    attr(span, "redaction.masked.count").get().getIntValue(), policy.name());
        }
    }

    @Test
    void dropRemovesContentAndKeepsEverythingElse() {
        Span original = OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)).getResourceSpans(0).getScopeSpans(0).getSpans(0);
        Span span = run(PrivacyPolicy.DROP);
        assertTrue(attr(span, "gen_ai.prompt").isEmpty());
        assertTrue(attr(span, "gen_ai.completion").isEmpty());
        for (KeyValue kv : original.getAttributesList()) {
            if (!PrivacyProcessor.isContent(kv.getKey()) && !kv.getKey().equals("user.id")) {
                assertEquals(Optional.of(kv.getValue()), attr(span, kv.getKey()), kv.getKey());
            }
        }
        assertEquals(2, attr(span, "redaction.dropped.keys").get().getArrayValue().getValuesCount());
    }

    @Test
    void aSecondHopMergesItsSummaryInsteadOfRepeatingIt() {
        PrivacyProcessor mask = new PrivacyProcessor(PrivacyPolicy.MASK, Redactor.defaults(), Set.of(), null);
        PrivacyProcessor drop = new PrivacyProcessor(PrivacyPolicy.DROP, Redactor.defaults(), Set.of(), null);
        ExportTraceServiceRequest twice = drop.process(mask.process(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)), "t"), "t");
        Span span = twice.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertEquals(1, span.getAttributesList().stream().filter(kv -> kv.getKey().equals("redaction.masked.count")).count());
        assertTrue(attr(span, "gen_ai.prompt").isEmpty());
    }

    @Test
    void aSecondHopThatMasksMoreAddsToTheFirstHopsCounts() {
        PrivacyProcessor full = new PrivacyProcessor(PrivacyPolicy.FULL, Redactor.defaults(), Set.of(), null);
        Span once = full.process(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)), "t").getResourceSpans(0).getScopeSpans(0).getSpans(0);
        // a secret the first hop never saw, under a name of its own
        Span more = once.toBuilder().addAttributes(KeyValue.newBuilder().setKey("http.header.authorization")
                .setValue(AnyValue.newBuilder().setStringValue("sk-or-v1-" + "cd".repeat(32)))).build();
        Span twice = full.span(more, "t");
        assertEquals(2, attr(twice, "redaction.masked.count").get().getIntValue());
        assertEquals(2, attr(twice, "redaction.masked.openrouter_key").get().getIntValue());
        assertEquals(java.util.List.of("gen_ai.prompt", "http.header.authorization"), attr(twice, "redaction.masked.keys").get()
                .getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList());
        for (String key : new String[] {"redaction.masked.count", "redaction.masked.keys", "redaction.masked.openrouter_key"}) {
            assertEquals(1, twice.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).count(), key);
        }
        // a span the first hop left unmasked gets this hop's summary alone, at its end
        Span fresh = full.span(more.toBuilder().clearAttributes().addAttributes(more.getAttributes(more.getAttributesCount() - 1)).build(), "t");
        assertEquals(java.util.List.of("http.header.authorization", "redaction.masked.count", "redaction.masked.keys",
                "redaction.masked.openrouter_key"), fresh.getAttributesList().stream().map(KeyValue::getKey).toList());
    }

    @Test
    void hashingNeedsAKey() {
        assertThrows(IllegalArgumentException.class,
                () -> new PrivacyProcessor(PrivacyPolicy.MASK, Redactor.defaults(), Set.of("user.id"), null));
    }

    @Test
    void openInferenceContentIsContentToo() {
        PrivacyProcessor drop = new PrivacyProcessor(PrivacyPolicy.DROP, Redactor.defaults(), Set.of(), null);
        Span span = drop.process(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.OPENINFERENCE_CHAT)), "t")
                .getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertTrue(span.getAttributesList().stream().noneMatch(kv -> kv.getKey().startsWith("llm.input_messages.")
                || kv.getKey().startsWith("llm.output_messages.") || kv.getKey().equals("input.value") || kv.getKey().equals("output.value")));
        assertEquals(14, attr(span, "llm.token_count.prompt").get().getIntValue());
    }

    /** A retriever span's documents are content: dropped under drop, their personal data masked under mask; ids and scores stay. */
    @Test
    void retrievedDocumentsAreContent() {
        Span retriever = Span.newBuilder().setName("retrieve")
                .addAttributes(string("openinference.span.kind", "RETRIEVER"))
                .addAttributes(string("retrieval.documents.0.document.id", "doc-7"))
                .addAttributes(string("retrieval.documents.0.document.content", "Contract of Jane, jane.doe@example.com, +1 415 555 0100"))
                .addAttributes(KeyValue.newBuilder().setKey("retrieval.documents.0.document.score")
                        .setValue(AnyValue.newBuilder().setDoubleValue(0.92)))
                .build();
        Span dropped = new PrivacyProcessor(PrivacyPolicy.DROP, Redactor.defaults(), Set.of(), null).span(retriever, "t");
        Span masked = new PrivacyProcessor(PrivacyPolicy.MASK, Redactor.defaults(), Set.of(), null).span(retriever, "t");

        assertTrue(attr(dropped, "retrieval.documents.0.document.content").isEmpty());
        assertEquals("Contract of Jane, <EMAIL>, <PHONE>", attr(masked, "retrieval.documents.0.document.content").get().getStringValue());
        for (Span span : new Span[] {dropped, masked}) {
            assertEquals("doc-7", attr(span, "retrieval.documents.0.document.id").get().getStringValue());
            assertEquals(0.92, attr(span, "retrieval.documents.0.document.score").get().getDoubleValue());
        }
    }

    private static KeyValue string(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    @Test
    void anIdHashedByEnrichIsNotHashedAgainByExport() {
        PrivacyProcessor enrich = new PrivacyProcessor(PrivacyPolicy.MASK, Redactor.defaults(), Set.of("user.id"), KEY);
        PrivacyProcessor export = new PrivacyProcessor(PrivacyPolicy.DROP, Redactor.defaults(), Set.of("user.id"), KEY);
        ExportTraceServiceRequest once = enrich.process(OtlpJson.parseTraces(Fixtures.bytes(Fixtures.BROADCAST_FULL)), "t");
        ExportTraceServiceRequest twice = export.process(once, "t");
        Span first = once.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        Span second = twice.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertTrue(attr(first, "user.id").get().getStringValue().startsWith("hmac-sha256:"));
        assertEquals(attr(first, "user.id"), attr(second, "user.id"), "the same keyed hash after both hops");
    }
}
