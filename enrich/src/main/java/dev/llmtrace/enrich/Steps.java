package dev.llmtrace.enrich;

import dev.llmtrace.core.SpanProcessor;
import dev.llmtrace.core.TraceProcessor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** enrich's processing steps as one, in the configured order, refused at start when the order cannot be right. */
final class Steps {
    private Steps() {}

    static TraceProcessor inOrder(List<EnrichConfig.Step> order, Function<EnrichConfig.Step, TraceProcessor> make) {
        Set<EnrichConfig.Step> seen = EnumSet.noneOf(EnrichConfig.Step.class);
        for (EnrichConfig.Step step : order) {
            if (!seen.add(step)) {
                throw new IllegalArgumentException("enrich.processors: " + name(step) + " appears twice in " + names(order));
            }
        }
        if (!seen.contains(EnrichConfig.Step.PRIVACY)) {
            throw new IllegalArgumentException("enrich.processors: privacy is required (secrets are masked under every policy): " + names(order));
        }
        if (seen.contains(EnrichConfig.Step.CONVENTIONS) && order.indexOf(EnrichConfig.Step.CONVENTIONS) > order.indexOf(EnrichConfig.Step.PRIVACY)) {
            throw new IllegalArgumentException("enrich.processors: conventions copies the prompt and completion to new names, "
                    + "so it must run before privacy: " + names(order));
        }
        List<TraceProcessor> chain = new ArrayList<>();
        List<SpanStep> run = new ArrayList<>(); // consecutive attribute steps: one pass over the spans
        for (EnrichConfig.Step step : order) {
            TraceProcessor processor = make.apply(step);
            if (processor instanceof SpanStep spanStep) {
                run.add(spanStep);
                continue;
            }
            if (!run.isEmpty()) {
                chain.add(SpanStep.fused(List.copyOf(run)));
                run.clear();
            }
            chain.add(processor);
        }
        if (!run.isEmpty()) {
            chain.add(SpanStep.fused(List.copyOf(run)));
        }
        if (chain.stream().allMatch(step -> step instanceof SpanProcessor)) { // enrich can then run them span by span
            return SpanProcessor.chain(chain.stream().map(step -> (SpanProcessor) step).toList());
        }
        return TraceProcessor.chain(chain.toArray(TraceProcessor[]::new));
    }

    private static String name(EnrichConfig.Step step) {
        return step.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static String names(List<EnrichConfig.Step> order) {
        return String.join(",", order.stream().map(Steps::name).toList());
    }
}
