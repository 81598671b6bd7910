package dev.llmtrace.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * The interop peers installed by {@code interop/install-peers.sh}: the system property
 * {@value #PROPERTY} names its {@code peers.properties}. A peer the script could not install is listed
 * as {@code skipped.<peer>=<reason>}, and a test that needs it is skipped with that reason.
 */
final class Peers {
    static final String PROPERTY = "llmtrace.peers";
    static final String OTELCOL = "otelcol";
    static final String TELEMETRYGEN = "telemetrygen";
    static final String PYTHON = "python";
    static final String PHOENIX = "phoenix";
    static final String JAEGER = "jaeger";

    private Peers() {}

    /** The peer's executable; skips the calling test when the peer is not installed. */
    static Path require(String peer) {
        Properties installed = load();
        String path = installed.getProperty(peer);
        Assumptions.assumeTrue(path != null && Files.isExecutable(Path.of(path)),
                () -> "peer " + peer + " SKIPPED: " + installed.getProperty("skipped." + peer, "not installed"));
        return Path.of(path);
    }

    private static Properties load() {
        String file = System.getProperty(PROPERTY);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROPERTY + "=" + file, e);
        }
        return p;
    }
}
