package dev.llmtrace.export;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The destination types by name, and the settings common to all of them resolved into a {@link DestinationSpec}. */
final class DestinationTypes {
    static final List<DestinationType> ALL = List.of(new TempoType(), new OpenObserveType(), new GrafanaCloudType(),
            new OtlpGrpcType(), new OtlpHttpType(), new PhoenixType(), new FileType());

    /** Settings that mean something only for some types; each type lists the ones it reads. */
    static final List<String> TYPE_SETTINGS = List.of("tenant", "organization", "stream-name", "stream-name-from-tenant", "project",
            "project-from-tenant", "register-prices");

    private static final Map<String, DestinationType> BY_NAME = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(DestinationType::name, Function.identity()));

    private DestinationTypes() {}

    /** The type named {@code type} (case and {@code _}/{@code -} as the user likes), or a start error listing them. */
    static DestinationType named(String at, String type) {
        DestinationType t = BY_NAME.get(type.strip().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (t == null) {
            throw Endpoints.invalid(at + "type", "unknown type '" + type + "'; one of " + ALL.stream().map(DestinationType::name).toList());
        }
        return t;
    }

    /** {@code export.destinations.<name>.*} as a destination ready to run. */
    static DestinationSpec resolve(String name, ExportConfig.DestinationConfig c, ExportConfig config) {
        String at = "export.destinations." + name + ".";
        DestinationType type = named(at, c.type());
        for (String setting : TYPE_SETTINGS) {
            if (isSet(setting, c) && !type.typeSettings().contains(setting)) {
                throw Endpoints.invalid(at + setting, "means nothing for type " + type.name() + "; it is for "
                        + ALL.stream().filter(t -> t.typeSettings().contains(setting)).map(DestinationType::name).toList());
            }
        }
        DestinationType.Resolved r = type.resolve(name, at, c, config);
        dev.llmtrace.core.privacy.PrivacyPolicy privacy = c.privacy().orElse(config.privacy().policy());
        return new DestinationSpec(name, r.sender(), r.encoding(), r.perTenant(), c.timeout(), c.filter(), c.queue().maxBytes(),
                c.queue().whenFull(), c.queue().consumers(), c.retry().toPolicy(dev.llmtrace.core.retry.RetryPolicy.collectorDefaults()), privacy,
                r.description() + " privacy=" + privacy.name().toLowerCase(Locale.ROOT));
    }

    /** The embedded default: {@code export.sink.*}, kept as long as it takes and never filtered or redacted further. */
    static DestinationSpec sink(ExportConfig.Sink sink) {
        DestinationType.Resolved r = FileType.in(java.nio.file.Path.of(sink.directory()), sink);
        return new DestinationSpec("file-sink", r.sender(), r.encoding(), null, Duration.ofSeconds(10), null, 256L << 20,
                ExportConfig.WhenFull.BLOCK, 1, dev.llmtrace.core.retry.RetryPolicy.collectorDefaults(),
                dev.llmtrace.core.privacy.PrivacyPolicy.FULL, r.description());
    }

    private static boolean isSet(String setting, ExportConfig.DestinationConfig c) {
        Optional<?> value = switch (setting) {
            case "tenant" -> c.tenant();
            case "organization" -> c.organization();
            case "stream-name" -> c.streamName();
            case "stream-name-from-tenant" -> c.streamNameFromTenant();
            case "project" -> c.project();
            case "project-from-tenant" -> c.projectFromTenant();
            case "register-prices" -> c.registerPrices();
            default -> throw new IllegalArgumentException(setting);
        };
        return value.isPresent();
    }
}
