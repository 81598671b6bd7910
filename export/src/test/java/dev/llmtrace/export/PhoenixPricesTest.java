package dev.llmtrace.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmtrace.core.otlp.Attributes;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

/** What export tells Phoenix about a model's prices (the round trip through a real Phoenix is PhoenixDestinationInteropTest's). */
class PhoenixPricesTest {
    @Test
    void unitPricesAreWhatTheSpanStates() {
        Span broadcast = Span.newBuilder().addAttributes(Attributes.decimal("trace.metadata.openrouter.input_unit_price", 3e-6))
                .addAttributes(Attributes.decimal("trace.metadata.openrouter.output_unit_price", 1.5e-5))
                .addAttributes(Attributes.integer("llm.token_count.prompt", 1200)).build();
        assertEquals(new PhoenixPrices.UnitPrices(3e-6, 1.5e-5), PhoenixPrices.unitPrices(broadcast), "OpenRouter's own unit prices first");
        Span priced = Span.newBuilder().addAttributes(Attributes.integer("llm.token_count.prompt", 14))
                .addAttributes(Attributes.integer("llm.token_count.completion", 9))
                .addAttributes(Attributes.decimal("llm.cost.prompt", 3.5e-5)).addAttributes(Attributes.decimal("llm.cost.completion", 9e-5))
                .addAttributes(Attributes.decimal("llm.cost.total", 1.25e-4)).build();
        assertEquals(2.5e-6, PhoenixPrices.unitPrices(priced).input(), 1e-18);
        assertEquals(1e-5, PhoenixPrices.unitPrices(priced).output(), 1e-18);
        Span free = Span.newBuilder().addAttributes(Attributes.integer("llm.token_count.prompt", 12))
                .addAttributes(Attributes.integer("llm.token_count.completion", 0)).addAttributes(Attributes.decimal("llm.cost.total", 0)).build();
        assertEquals(new PhoenixPrices.UnitPrices(0, 0), PhoenixPrices.unitPrices(free), "nothing paid for its tokens: a free model");
        Span noOutput = Span.newBuilder().addAttributes(Attributes.integer("llm.token_count.prompt", 12))
                .addAttributes(Attributes.decimal("llm.cost.prompt", 1e-5)).addAttributes(Attributes.decimal("llm.cost.total", 1e-5)).build();
        assertNull(PhoenixPrices.unitPrices(noOutput), "no output price stated: nothing registered rather than a guess");
    }

    @Test
    void thePatternMatchesExactlyTheModelNameInPythonRegex() {
        assertEquals("openai\\/gpt\\-oss\\-20b\\:free", PhoenixPrices.pythonRegexQuote("openai/gpt-oss-20b:free"));
        assertEquals("claude\\-3\\.5", PhoenixPrices.pythonRegexQuote("claude-3.5"));
        String mutation = PhoenixPrices.mutation("a/b\"c", new PhoenixPrices.UnitPrices(3e-6, 1.5e-5));
        assertTrue(mutation.contains("\"namePattern\":\"^a\\\\/b\\\\\\\"c$\""), mutation);
        assertTrue(mutation.contains("\"tokenType\":\"input\",\"kind\":\"PROMPT\",\"costPerMillionTokens\":3.0"), mutation);
        assertTrue(mutation.contains("\"tokenType\":\"output\",\"kind\":\"COMPLETION\",\"costPerMillionTokens\":15.0"), mutation);
    }
}
