package dev.llmtrace.export;

import dev.llmtrace.core.retry.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A destination with its preset applied: the exact URL or address, the headers to send (secrets
 * included, so never log this record), and how its queue behaves.
 */
record DestinationSpec(
        String name,
        ExportConfig.Protocol protocol,
        URI url,
        ExportConfig.Encoding encoding,
        Map<String, String> headers,
        Optional<String> tenantHeader,
        Optional<String> fixedTenant,
        boolean gzip,
        Duration timeout,
        ExportConfig.Tls tls,
        ExportConfig.Filter filter,
        long queueMaxBytes,
        ExportConfig.WhenFull whenFull,
        int consumers,
        RetryPolicy retry,
        dev.llmtrace.core.privacy.PrivacyPolicy privacy,
        String description) {

    /** The tenant header value for data of {@code tenant}, if this destination sends one. */
    Optional<String> tenantValue(String tenant) {
        return tenantHeader.map(h -> fixedTenant.orElse(tenant));
    }
}
