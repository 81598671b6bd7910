package dev.llmtrace.export;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;

/**
 * Where and how an OTLP sender talks to its backend: the exact URL or address, the headers to send (secrets
 * included, so never log this record) and whom to trust. Made by the destination's {@link DestinationType}.
 *
 * @param trust the trust managers for https, or null for the JVM's defaults ({@link DestinationTls})
 */
record OtlpEndpoint(
        String destination,
        ExportConfig.Protocol protocol,
        URI url,
        ExportConfig.Encoding encoding,
        Map<String, String> headers,
        Optional<String> tenantHeader,
        Optional<String> fixedTenant,
        boolean gzip,
        Duration timeout,
        TrustManager[] trust) {

    /** The tenant header value for data of {@code tenant}, if this destination sends one. */
    Optional<String> tenantValue(String tenant) {
        return tenantHeader.map(h -> fixedTenant.orElse(tenant));
    }

    /** The sender for this endpoint's protocol. */
    Sender sender() {
        return protocol == ExportConfig.Protocol.GRPC ? new GrpcSender(this) : new HttpSender(this);
    }
}
