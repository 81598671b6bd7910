package dev.llmtrace.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.core.otlp.OtlpJson;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "Secrets are masked under every policy, in every string": one secret of a different kind in each
 * place a sender controls text, under each policy. The whole request is searched, so a place that is
 * forgotten shows up by name.
 */
public class SecretsEverywhereTest {
    static final String OPENAI_KEY = "sk-proj-" + "Ab1".repeat(16);
    static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    static final String GITHUB = "ghp_" + "a1B2".repeat(9);
    static final String AWS = "AKIA" + "QWERTYUIOPASDFGH";
    static final String OPENROUTER = "sk-or-v1-" + "cd".repeat(32);

    /** Where each secret sits, by the name the summary gives that place. */
    public static final List<String> PLACES = List.of("span.name", "status.message", "event.name", "event attribute",
            "link attribute", "resource attribute", "scope attribute", "nested kvlist attribute", "array attribute");

    public static String secretFor(String place) {
        return switch (place) {
            case "span.name", "event attribute" -> OPENAI_KEY;
            case "status.message", "scope attribute" -> "Bearer " + OPENROUTER;
            case "link attribute", "nested kvlist attribute" -> JWT;
            case "resource attribute", "event.name" -> GITHUB;
            default -> AWS;
        };
    }

    /** One span with a secret in every place, ids all zero (callers set their own). */
    public static ExportTraceServiceRequest request() {
        Span span = Span.newBuilder()
                .setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                .setName("call with " + secretFor("span.name"))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
                        .setMessage("401 for " + secretFor("status.message")))
                .addEvents(Span.Event.newBuilder().setName("retry " + secretFor("event.name"))
                        .addAttributes(Attributes.string("exception.message", "bad key " + secretFor("event attribute"))))
                .addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]))
                        .addAttributes(Attributes.string("auth.token", secretFor("link attribute"))))
                .addAttributes(Attributes.of("http.request.header", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(Attributes.string("authorization", secretFor("nested kvlist attribute")))).build()))
                .addAttributes(Attributes.of("aws.keys", AnyValue.newBuilder().setArrayValue(
                        io.opentelemetry.proto.common.v1.ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setStringValue(secretFor("array attribute")))).build()))
                .addAttributes(Attributes.string("gen_ai.request.model", "gpt-4o"))
                .build();
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(Attributes.string("deploy.token", secretFor("resource attribute"))))
                .addScopeSpans(ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("lib")
                                .addAttributes(Attributes.string("config", secretFor("scope attribute"))))
                        .addSpans(span)))
                .build();
    }

    @ParameterizedTest
    @EnumSource(PrivacyPolicy.class)
    void noSecretSurvivesAnywhere(PrivacyPolicy policy) {
        PrivacyProcessor processor = new PrivacyProcessor(policy, Redactor.defaults(), Set.of(), null);
        ExportTraceServiceRequest out = processor.process(request(), "t");
        String everything = new String(OtlpJson.toJson(out), StandardCharsets.UTF_8);
        for (String place : PLACES) {
            String secret = secretFor(place);
            String bare = secret.startsWith("Bearer ") ? secret.substring(7) : secret;
            assertFalse(everything.contains(bare), policy + ": the secret in the " + place + " survived");
        }
        Span span = out.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertTrue(span.getName().startsWith("call with <"), span.getName());
        assertTrue(span.getStatus().getMessage().startsWith("401 for "), "the rest of the text stays");
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, span.getStatus().getCode());
        List<String> maskedKeys = span.getAttributesList().stream().filter(kv -> kv.getKey().equals("redaction.masked.keys"))
                .findFirst().orElseThrow().getValue().getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList();
        assertTrue(maskedKeys.containsAll(List.of("span.name", "status.message", "event.name", "exception.message",
                "auth.token", "http.request.header", "aws.keys")), maskedKeys.toString());
        assertEquals("gpt-4o", span.getAttributesList().stream().filter(kv -> kv.getKey().equals("gen_ai.request.model"))
                .map(KeyValue::getValue).findFirst().orElseThrow().getStringValue());
    }

    @ParameterizedTest
    @EnumSource(PrivacyPolicy.class)
    void aCleanRequestIsReturnedAsItIs(PrivacyPolicy policy) {
        ExportTraceServiceRequest clean = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("chat gpt-4o")
                        .setStatus(Status.newBuilder().setMessage("timeout")).addLinks(Span.Link.newBuilder()
                                .addAttributes(Attributes.string("kind", "follows"))))))
                .build();
        assertTrue(new PrivacyProcessor(policy, Redactor.defaults(), Set.of(), null).process(clean, "t") == clean);
    }
}
