package dev.llmtrace.enrich;

import static dev.llmtrace.core.otlp.Attributes.decimal;
import static dev.llmtrace.core.otlp.Attributes.string;

import dev.llmtrace.core.otlp.Attributes;
import dev.llmtrace.enrich.pricing.Cost;
import dev.llmtrace.enrich.pricing.PricingTable;
import dev.llmtrace.enrich.pricing.TokenUsage;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Adds cost to LLM spans and reports each call to the LLM metrics; a pure function of the request, the
 * pricing table and the settings. Names of other conventions are {@link ConventionsProcessor}'s. It never removes or renames an attribute (users' TraceQL depends on
 * them); it only adds names that are missing.
 *
 * <ul>
 *   <li>A span without cost gets {@code gen_ai.usage.input_cost|output_cost|total_cost} from the table
 *       ({@code llmtrace.cost.source=table}).
 *   <li>A span with cost (Broadcast) keeps it as the truth ({@code llmtrace.cost.source=sender}) and gets
 *       our estimate ({@code llmtrace.cost.estimate_usd}), the relative drift ({@code llmtrace.cost.drift})
 *       and a check of its own tokens x unit prices ({@code llmtrace.cost.unit_price_check}).
 *   <li>An unknown model gets no cost, only {@code llmtrace.cost.unknown_model=true}: never a guess.
 * </ul>
 */
public final class CostProcessor implements SpanStep {
    private final Supplier<PricingTable> table;
    private final double driftThreshold;
    private final LlmCall.Listener listener;

    public CostProcessor(Supplier<PricingTable> table, double driftThreshold, LlmCall.Listener listener) {
        this.table = table;
        this.driftThreshold = driftThreshold;
        this.listener = listener;
    }

    @Override
    public void addTo(Span span, GenAiAttributes a, List<KeyValue> add, String tenant) {
        PricingTable prices = table.get();
        TokenUsage tokens = new TokenUsage(Math.max(0, a.input), Math.max(0, a.output), a.cacheRead, a.cacheWrite, a.reasoning);
        Optional<PricingTable.Match> match = prices.lookup(a.model());
        if (match.isEmpty() && a.requestModel != null && !a.requestModel.equals(a.model())) {
            match = prices.lookup(a.requestModel);
        }
        Cost estimate = match.map(m -> Cost.of(tokens, m.price())).orElse(null);
        double totalCost = Double.NaN;
        boolean drifted = false;
        if (a.hasSenderCost()) {
            totalCost = a.senderTotal();
            add.add(string("llmtrace.cost.source", "sender"));
            if (estimate != null && a.hasTokens()) {
                double drift = totalCost == 0 ? (estimate.total() == 0 ? 0 : 1) : (estimate.total() - totalCost) / totalCost;
                add.add(decimal("llmtrace.cost.estimate_usd", estimate.total()));
                add.add(decimal("llmtrace.cost.drift", drift));
                drifted = Math.abs(drift) > driftThreshold;
            }
            if (!Double.isNaN(a.inputUnitPrice) && !Double.isNaN(a.outputUnitPrice) && a.hasTokens()) {
                double fromUnits = tokens.input() * a.inputUnitPrice + tokens.output() * a.outputUnitPrice;
                boolean ok = Math.abs(fromUnits - totalCost) <= 1e-12 + driftThreshold * Math.abs(totalCost);
                add.add(string("llmtrace.cost.unit_price_check", ok ? "ok" : "mismatch"));
            }
        } else if (estimate != null && a.hasTokens()) {
            totalCost = estimate.total();
            a.addIfMissing(add, "gen_ai.usage.input_cost", estimate.input());
            a.addIfMissing(add, "gen_ai.usage.output_cost", estimate.output());
            a.addIfMissing(add, "gen_ai.usage.total_cost", totalCost);
            add.add(string("llmtrace.cost.source", match.get().estimate() ? "estimate"
                    : "openrouter-live".equals(match.get().price().provider()) ? "openrouter" : "table"));
        }
        match.ifPresent(m -> add.add(string("llmtrace.cost.model", m.key())));
        boolean unknown = match.isEmpty();
        if (unknown) {
            add.add(Attributes.bool("llmtrace.cost.unknown_model", true));
        }
        listener.onLlmCall(new LlmCall(a.model(), a.provider, a.apiKeyName, tenant,
                status(span.getStatus()), tokens, totalCost, span.getEndTimeUnixNano() - span.getStartTimeUnixNano(), unknown, drifted));
    }

    private static String status(Status status) {
        return switch (status.getCode()) {
            case STATUS_CODE_ERROR -> "error";
            case STATUS_CODE_OK -> "ok";
            default -> "unset";
        };
    }

}