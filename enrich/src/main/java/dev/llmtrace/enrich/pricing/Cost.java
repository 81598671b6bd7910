package dev.llmtrace.enrich.pricing;

/** A cost in USD, split as the conventions report it. */
public record Cost(double input, double output) {

    public double total() {
        return input + output;
    }

    /** Tokens x prices: cache and reasoning tokens at their own price where the model has one; tiers above 200k input tokens. */
    public static Cost of(TokenUsage t, ModelPrice p) {
        boolean tier = t.input() > ModelPrice.TIER_THRESHOLD && p.inputAbove200k() != null;
        double in = tier ? p.inputAbove200k() : p.input();
        double out = tier && p.outputAbove200k() != null ? p.outputAbove200k() : p.output();
        double cacheRead = first(tier ? p.cacheReadAbove200k() : null, p.cacheRead(), in);
        double cacheWrite = first(tier ? p.cacheWriteAbove200k() : null, p.cacheWrite(), in);
        double reasoning = first(p.reasoning(), out);
        long uncached = Math.max(0, t.input() - t.cacheRead() - t.cacheWrite());
        long plainOutput = Math.max(0, t.output() - t.reasoning());
        double inputCost = uncached * in + t.cacheRead() * cacheRead + t.cacheWrite() * cacheWrite;
        double outputCost = plainOutput * out + Math.min(t.reasoning(), t.output()) * reasoning;
        return new Cost(inputCost, outputCost);
    }

    private static double first(Double a, Double b, double c) {
        return a != null ? a : b != null ? b : c;
    }

    private static double first(Double a, double b) {
        return a != null ? a : b;
    }
}
