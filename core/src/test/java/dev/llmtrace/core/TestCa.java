package dev.llmtrace.core;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time (BouncyCastle), issuing leaf certificates for localhost as PEM
 * files: what an operator's CA, cert-manager or an ACME client would leave on disk. Nothing is checked in.
 */
public final class TestCa {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private final String name;
    private final KeyPair key;
    private final X509Certificate certificate;

    /** A certificate and its key, written as PEM files. */
    public record Issued(X509Certificate certificate, Path certFile, Path keyFile) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /** Replaces the files at {@code certTarget} and {@code keyTarget} atomically, as a renewal does. */
        public void installAt(Path certTarget, Path keyTarget) {
            try {
                Files.copy(keyFile, keyTarget.resolveSibling(keyTarget.getFileName() + ".new"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(certFile, certTarget.resolveSibling(certTarget.getFileName() + ".new"), StandardCopyOption.REPLACE_EXISTING);
                Files.move(keyTarget.resolveSibling(keyTarget.getFileName() + ".new"), keyTarget, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                Files.move(certTarget.resolveSibling(certTarget.getFileName() + ".new"), certTarget, StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestCa(String name, KeyPair key, X509Certificate certificate) {
        this.name = name;
        this.key = key;
        this.certificate = certificate;
    }

    public static TestCa create(String name) {
        KeyPair key = newKey();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        X509Certificate cert = sign(subject, key, subject, key, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)), true, null);
        return new TestCa(name, key, cert);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA certificate as a PEM file in {@code dir}: what clients trust. */
    public Path writeCertificate(Path dir) {
        return write(dir.resolve(name + "-ca.crt"), certificate);
    }

    /** A PKCS12 trust store holding the CA certificate, as cert-manager's {@code truststore.p12}. */
    public Path writeTrustStore(Path dir, String password) {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry(name, certificate);
            Files.createDirectories(dir);
            Path file = dir.resolve(name + "-truststore.p12");
            try (var out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate for {@code localhost} and 127.0.0.1, valid now. */
    public Issued issue(Path dir, String fileName) {
        Instant now = Instant.now();
        return issue(dir, fileName, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(7)));
    }

    /** A certificate for {@code localhost} and 127.0.0.1 that expired yesterday. */
    public Issued issueExpired(Path dir, String fileName) {
        Instant now = Instant.now();
        return issue(dir, fileName, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    }

    private Issued issue(Path dir, String fileName, Instant notBefore, Instant notAfter) {
        KeyPair leafKey = newKey();
        GeneralNames names = new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")});
        X509Certificate leaf = sign(new X500Name("CN=localhost"), leafKey, new X500Name("CN=" + name), key, notBefore, notAfter, false, names);
        return new Issued(leaf, write(dir.resolve(fileName + ".crt"), leaf), write(dir.resolve(fileName + ".key"), pkcs8(leafKey)));
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey, Instant notBefore,
            Instant notAfter, boolean ca, GeneralNames names) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKey.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA")
                    .build(issuerKey.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    /** PKCS#8 ("BEGIN PRIVATE KEY"), what cert-manager and ACME clients write. */
    private static Object pkcs8(KeyPair key) {
        try {
            return new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key.getPrivate(), null);
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path write(Path file, Object pemObject) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(pemObject);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
