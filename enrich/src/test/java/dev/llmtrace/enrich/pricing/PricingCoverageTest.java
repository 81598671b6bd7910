package dev.llmtrace.enrich.pricing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How many of the model ids users send the shipped table prices: exactly, as a marked estimate from a
 * third-party host, or not at all. The figure is printed (README quotes it) and must stay at 97 % or more.
 */
class PricingCoverageTest {

    static List<String> ids() throws IOException {
        try (InputStream in = PricingCoverageTest.class.getResourceAsStream("/pricing/model-ids.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    @Test
    void theShippedTablePricesNearlyEveryModelUsersCall() throws IOException {
        PricingTable table = PricingTableTest.shipped();
        List<String> ids = ids();
        List<String> exact = new ArrayList<>();
        List<String> estimated = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            Optional<PricingTable.Match> match = table.lookup(id);
            if (match.isEmpty()) {
                unknown.add(id);
            } else if (match.get().estimate()) {
                estimated.add(id + " ← " + match.get().key());
            } else {
                exact.add(id);
            }
        }
        System.out.printf("pricing coverage: %d model ids: %d priced exactly, %d estimated, %d unknown (%.1f %% priced)%n",
                ids.size(), exact.size(), estimated.size(), unknown.size(), 100.0 * (exact.size() + estimated.size()) / ids.size());
        estimated.forEach(e -> System.out.println("  estimate: " + e));
        unknown.forEach(u -> System.out.println("  unknown: " + u));
        assertTrue(ids.size() >= 100, "at least 100 ids");
        assertTrue(exact.size() + estimated.size() >= Math.ceil(0.97 * ids.size()), "97 % priced; unknown: " + unknown);
    }

    @Test
    void organisationsAndVersionSpellingsFindTheFirstHandPrice() {
        PricingTable table = PricingTableTest.shipped();
        PricingTable.Match grok = table.lookup("x-ai/grok-code-fast-1").orElseThrow();
        assertEquals("xai/grok-code-fast-1", grok.key());
        assertFalse(grok.estimate());
        PricingTable.Match haiku = table.lookup("anthropic/claude-3.5-haiku").orElseThrow();
        assertTrue(haiku.key().contains("claude-3-5-haiku"), haiku.key());
        assertFalse(haiku.estimate(), "Anthropic's own model is priced first-hand: " + haiku.key());
        ModelPrice latest = table.lookup("claude-3-7-sonnet-latest").orElseThrow().price();
        ModelPrice openRouter = table.lookup("anthropic/claude-3.7-sonnet").orElseThrow().price();
        assertEquals(openRouter.input(), latest.input());
        assertEquals(openRouter.output(), latest.output());
    }

    @Test
    void aModelWithoutAFirstHandPriceIsAMarkedEstimateOfTheSameModel() {
        PricingTable.Match llama = PricingTableTest.shipped().lookup("meta-llama/llama-3.3-70b-instruct").orElseThrow();
        assertTrue(llama.key().toLowerCase().contains("llama-3.3-70b-instruct") || llama.key().toLowerCase().contains("llama-3-3-70b-instruct"),
                "an estimate comes from the same model: " + llama.key());
    }

    @Test
    void noPriceCrossesModelFamilies() {
        PricingTable table = PricingTableTest.shipped();
        for (String madeUp : List.of("meta-llama/llama-9-700b-instruct", "x-ai/grok-99", "anthropic/claude-sonnet-9.9", "acme/gpt-4o-but-not")) {
            assertTrue(table.lookup(madeUp).isEmpty(), madeUp + " matched " + table.lookup(madeUp));
        }
    }
}
