package dev.llmtrace.enrich.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

public class PricingTableTest {
    static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    public static PricingTable shipped() {
        try (InputStream in = PricingTableTest.class.getResourceAsStream(PricingTables.SHIPPED)) {
            return PricingTable.of(PricingTable.read(in, "shipped", VALIDATOR));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Map<String, ModelPrice> read(String json) {
        return PricingTable.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json", VALIDATOR);
    }

    @Test
    void providerPrefixesAndCaseDoNotMatter() {
        PricingTable table = shipped();
        String key = table.lookup("gpt-4o").orElseThrow().key();
        assertEquals("gpt-4o", key);
        assertEquals(key, table.lookup("openai/gpt-4o").orElseThrow().key());
        assertEquals(key, table.lookup("OpenAI/GPT-4o").orElseThrow().key());
        assertEquals(table.lookup("gpt-4o").get().price().input(), table.lookup("openrouter/openai/gpt-4o").orElseThrow().price().input());
        assertEquals(3e-6, table.lookup("anthropic/claude-sonnet-4").orElseThrow().price().input());
    }

    @Test
    void openRouterVariants() {
        PricingTable table = shipped();
        assertEquals(ModelPrice.FREE, table.lookup("openai/gpt-oss-20b:free").orElseThrow().price());
        assertEquals(ModelPrice.FREE, table.lookup("some/unknown-model:free").orElseThrow().price(), ":free is free whatever the model");
        for (String variant : new String[] {":nitro", ":floor", ":online", ":extended"}) {
            assertEquals("gpt-4o", table.lookup("openai/gpt-4o" + variant).orElseThrow().key(), variant);
        }
    }

    @Test
    void datedIdsUseTheirOwnEntryElseTheBaseModel() {
        PricingTable table = shipped();
        assertEquals("gpt-4o-2024-08-06", table.lookup("openai/gpt-4o-2024-08-06").orElseThrow().key());
        assertEquals("gpt-4o", table.lookup("gpt-4o-2099-01-01").orElseThrow().key());
        assertEquals("gpt-4o", table.lookup("gpt-4o-20990101").orElseThrow().key());
    }

    @Test
    void unknownModelsAreNotGuessed() {
        PricingTable table = shipped();
        assertTrue(table.lookup("acme/totally-new-model").isEmpty());
        assertTrue(table.lookup("gpt-4o-turbo-ultra").isEmpty(), "a longer name is not its prefix");
        assertTrue(table.lookup("").isEmpty());
        assertTrue(table.lookup(null).isEmpty());
    }

    @Test
    void overridesAddAndReplace() {
        PricingTable table = shipped().withOverrides(read("""
                {"gpt-4o": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
                 "acme/house-model": {"input_cost_per_token": 0, "output_cost_per_token": 5e-7}}"""));
        assertEquals(1e-6, table.lookup("openai/gpt-4o").orElseThrow().price().input());
        assertEquals(5e-7, table.lookup("ACME/house-model").orElseThrow().price().output());
    }

    @Test
    void badTablesNameTheEntryAndTheField() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> read("""
                {"ok-model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
                 "broken-model": {"input_cost_per_token": -1e-6, "output_cost_per_token": 2e-6}}"""));
        assertEquals("pricing table test.json: entry 'broken-model': input_cost_per_token must be greater than or equal to 0",
                negative.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> read("{\"half-model\": {\"input_cost_per_token\": 1e-6}}"));
        assertEquals("pricing table test.json: entry 'half-model': output_cost_per_token must not be null", missing.getMessage());
        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                () -> read("{\"m\": {\"input_cost_per_token\": \"cheap\", \"output_cost_per_token\": 1}}"));
        assertTrue(wrongType.getMessage().startsWith("pricing table test.json: not a JSON object of model -> prices"), wrongType.getMessage());
        assertThrows(IllegalArgumentException.class, () -> read("[1, 2]"));
    }

    @Test
    void tiersCacheAndReasoningArePricedApart() {
        ModelPrice price = new ModelPrice(2e-6, 8e-6, 5e-7, 2.5e-6, 1.6e-5, 4e-6, 1.2e-5, 1e-6, 5e-6, "test");
        Cost small = Cost.of(new TokenUsage(1000, 500, 400, 100, 200), price);
        assertEquals(500 * 2e-6 + 400 * 5e-7 + 100 * 2.5e-6, small.input(), 1e-15);
        assertEquals(300 * 8e-6 + 200 * 1.6e-5, small.output(), 1e-15);
        Cost large = Cost.of(new TokenUsage(300_000, 1000, 100_000, 0, 0), price);
        assertEquals(200_000 * 4e-6 + 100_000 * 1e-6, large.input(), 1e-12, "above 200k input tokens: tier prices");
        assertEquals(1000 * 1.2e-5, large.output(), 1e-15);
        ModelPrice plain = new ModelPrice(2e-6, 8e-6, null, null, null, null, null, null, null, null);
        assertEquals(1000 * 2e-6, Cost.of(new TokenUsage(1000, 0, 400, 0, 0), plain).input(), 1e-15,
                "no cache price: cached tokens at the input price");
    }
}
