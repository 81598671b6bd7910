package dev.llmtrace.export;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** The one place a destination's {@code tls.*} settings become trust managers, for the HTTP and the gRPC sender alike. */
final class DestinationTls {
    private DestinationTls() {}

    /** Trust managers for {@code tls}, or null to keep the JVM's; errors name the setting under {@code at}. */
    static TrustManager[] trust(String at, ExportConfig.Tls tls) {
        if (tls.insecureSkipVerify() && tls.caFile().isPresent()) {
            throw new IllegalStateException(at + "tls.insecure-skip-verify: set either tls.ca-file or tls.insecure-skip-verify, not both");
        }
        if (tls.insecureSkipVerify()) {
            return new TrustManager[] {TrustAll.INSTANCE};
        }
        return tls.caFile().map(file -> fromPem(at + "tls.ca-file", file)).orElse(null);
    }

    private static TrustManager[] fromPem(String setting, Path file) {
        if (!Files.isReadable(file)) {
            throw new IllegalStateException(setting + ": cannot read " + file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new IllegalStateException(setting + ": no certificate in " + file);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(setting + ": " + e.getMessage(), e);
        }
    }
}
