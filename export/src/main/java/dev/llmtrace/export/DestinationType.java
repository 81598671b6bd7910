package dev.llmtrace.export;

import dev.llmtrace.core.TraceProcessor;

/**
 * One kind of destination ({@code export.destinations.<name>.type}): it reads the settings that mean something
 * for it, refuses at start what cannot work (errors name the setting), and makes the sender. Queueing, retry,
 * filters and privacy are the same for every type and live in {@link Destinations} and {@link DestinationWorker}.
 * A new type is one class listed in {@link DestinationTypes}, plus its section in the README.
 */
interface DestinationType {
    /** The value of {@code type}, e.g. {@code otlp-http}. */
    String name();

    /**
     * Which of the settings that only some types read ({@link DestinationTypes#TYPE_SETTINGS}) this one reads;
     * setting any other is refused at start instead of being silently ignored.
     */
    default java.util.Set<String> typeSettings() {
        return java.util.Set.of();
    }

    /** Checks {@code c} for this type and makes what sends to it; {@code at} is {@code export.destinations.<name>.}. */
    Resolved resolve(String name, String at, ExportConfig.DestinationConfig c, ExportConfig config);

    /**
     * A destination ready to run.
     *
     * @param encoding what its queue holds and its sender sends
     * @param perTenant what this type changes in each batch for the tenant it is from (e.g. Phoenix's project),
     *     or null when it sends the batch as it is
     * @param description for the start log: never secrets
     */
    record Resolved(Sender sender, ExportConfig.Encoding encoding, TraceProcessor perTenant, String description) {}
}
