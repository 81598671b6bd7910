package dev.llmtrace.ingest;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/**
 * Maps a bearer token to its tenant. Tokens are kept only as SHA-256 digests and every configured
 * digest is compared, in constant time, on each request, so neither memory dumps nor timing give a
 * token away. Tokens never appear in a log line or an error message.
 */
@ApplicationScoped
@Startup
public class TokenAuthenticator {
    static final String TENANT_PATTERN = "[A-Za-z0-9._-]{1,64}";
    private static final java.util.regex.Pattern TENANT = java.util.regex.Pattern.compile(TENANT_PATTERN);

    private record Entry(byte[] digest, String tenant) {}

    private final boolean enabled;
    private final String defaultTenant;
    private final List<Entry> entries;

    public TokenAuthenticator(IngestConfig config) {
        this.enabled = config.auth().enabled();
        this.defaultTenant = config.auth().defaultTenant();
        List<Entry> loaded = new ArrayList<>();
        config.auth().tokens().ifPresent(list -> parse(list.split(","), "ingest.auth.tokens", loaded));
        config.auth().tokensFile().ifPresent(file -> parse(readLines(file), "ingest.auth.tokens-file " + file, loaded));
        if (enabled && loaded.isEmpty()) {
            throw new IllegalStateException("ingest.auth.enabled is true but no token is configured: set "
                    + "INGEST_AUTH_TOKENS (tenant=token,...) or ingest.auth.tokens-file, or INGEST_AUTH_ENABLED=false");
        }
        this.entries = List.copyOf(loaded);
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * The tenant for an {@code Authorization} header value, or empty when it is missing or wrong.
     * With auth switched off every caller is the default tenant.
     */
    public Optional<String> tenantFor(String authorization) {
        if (!enabled) {
            return Optional.of(defaultTenant);
        }
        if (authorization == null || authorization.length() < 8
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] digest = sha256(authorization.substring(7).trim());
        String match = null;
        for (Entry entry : entries) { // no early exit: the time taken does not depend on which token matched
            if (MessageDigest.isEqual(entry.digest, digest) && match == null) {
                match = entry.tenant;
            }
        }
        return Optional.ofNullable(match);
    }

    private static void parse(String[] lines, String source, List<Entry> out) {
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || eq == line.length() - 1) {
                throw new IllegalStateException(source + ": entry " + n + " is not tenant=token");
            }
            String tenant = line.substring(0, eq).strip();
            Matcher m = TENANT.matcher(tenant);
            if (!m.matches()) {
                throw new IllegalStateException(source + ": entry " + n + ": tenant must be 1-64 letters, digits, '.', '_' or '-'");
            }
            out.add(new Entry(sha256(line.substring(eq + 1).strip()), tenant));
        }
    }

    private static String[] readLines(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).split("\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ingest.auth.tokens-file " + file, e);
        }
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
