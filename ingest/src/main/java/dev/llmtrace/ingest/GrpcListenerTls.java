package dev.llmtrace.ingest;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import io.quarkus.grpc.api.ServerBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcServerConfiguration;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import io.vertx.grpc.VertxServerBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * TLS on ingest's OTLP/gRPC listener from the same TLS configuration of Quarkus's registry as its HTTP
 * listener ({@code ingest.tls.configuration-name}, {@code quarkus.tls.<name>.*}). Quarkus's separate gRPC
 * server takes certificate files of its own and never reloads them, so this gives its Netty builder an SSL
 * context whose key manager follows the registry: when the registry reloads the files
 * ({@code quarkus.tls.<name>.reload-period}) it fires {@link CertificateUpdatedEvent}, and from then on new
 * handshakes get the new certificate while open connections carry on, as on the HTTP listener.
 */
@ApplicationScoped
public class GrpcListenerTls implements ServerBuilderCustomizer<VertxServerBuilder> {
    private static final Logger LOG = Logger.getLogger(GrpcListenerTls.class);

    private final IngestConfig config;
    private final TlsConfigurationRegistry registry;
    private final Vertx vertx;
    private volatile ReloadingKeyManager keys;
    /** The certificate in use: the registry fires its event every reload period, changed or not. */
    private volatile X509Certificate serving;

    public GrpcListenerTls(IngestConfig config, TlsConfigurationRegistry registry, Vertx vertx) {
        this.config = config;
        this.registry = registry;
        this.vertx = vertx;
    }

    @Override
    public void customize(GrpcServerConfiguration grpc, VertxServerBuilder builder) {
        config.tls().configurationName().ifPresent(name -> {
            TlsConfiguration tls = registry.get(name).orElseThrow(() -> new IllegalStateException(
                    "ingest.tls.configuration-name: there is no TLS configuration '" + name + "' (quarkus.tls." + name + ".*)"));
            keys = new ReloadingKeyManager(keyManager(tls));
            serving = leaf(tls);
            try {
                builder.nettyBuilder().sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(keys)).build());
            } catch (SSLException e) {
                throw new IllegalStateException("ingest.tls.configuration-name: cannot set up TLS on the gRPC listener: " + e.getMessage(), e);
            }
            LOG.infof("OTLP/gRPC over TLS (%s): %s", tls.getName(), describe(serving));
            warnIfExpiring(serving);
        });
    }

    /** The registry reloaded the files: new handshakes get the new certificate. Runs on a worker thread. */
    void reloaded(@Observes CertificateUpdatedEvent event) {
        ReloadingKeyManager current = keys;
        if (current == null || config.tls().configurationName().filter(event.name()::equals).isEmpty()) {
            return;
        }
        X509Certificate next = leaf(event.tlsConfiguration());
        if (next != null && !next.equals(serving)) {
            current.use(keyManager(event.tlsConfiguration()));
            serving = next;
            LOG.infof("OTLP/gRPC listener: new certificate (%s): %s", event.name(), describe(next));
            warnIfExpiring(next);
        }
    }

    private static X509Certificate leaf(TlsConfiguration tls) {
        try {
            KeyStore store = tls.getKeyStore();
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return certificate;
                }
            }
            return null;
        } catch (KeyStoreException e) {
            throw new IllegalStateException("TLS configuration '" + tls.getName() + "': cannot read its key store: " + e.getMessage(), e);
        }
    }

    /** The same files serve HTTPS: one warning for both listeners, where an operator's log alerts look. */
    private static void warnIfExpiring(X509Certificate certificate) {
        if (certificate != null && certificate.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(7)))) {
            LOG.warnf("the TLS certificate of the OTLP listeners expires (or expired) at %s: renew it; clients refuse an expired one",
                    certificate.getNotAfter().toInstant());
        }
    }

    private static String describe(X509Certificate certificate) {
        return certificate == null ? "no certificate" : certificate.getSubjectX500Principal().getName() + ", serial "
                + certificate.getSerialNumber().toString(16) + ", valid until " + certificate.getNotAfter().toInstant();
    }

    private X509ExtendedKeyManager keyManager(TlsConfiguration tls) {
        if (tls.getKeyStoreOptions() == null) {
            throw new IllegalStateException("ingest.tls.configuration-name: TLS configuration '" + tls.getName()
                    + "' has no key store (quarkus.tls." + tls.getName() + ".key-store.pem.0.cert and .key)");
        }
        try {
            for (KeyManager manager : tls.getKeyStoreOptions().getKeyManagerFactory(vertx).getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager x509) {
                    return x509;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("TLS configuration '" + tls.getName() + "': cannot read its key store: " + e.getMessage(), e);
        }
        throw new IllegalStateException("TLS configuration '" + tls.getName() + "' holds no X.509 key");
    }
}
