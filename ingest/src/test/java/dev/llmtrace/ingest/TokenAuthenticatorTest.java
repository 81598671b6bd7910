package dev.llmtrace.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens to tenants, from the same config mapping ingest reads (its application.properties under the test's settings). */
class TokenAuthenticatorTest {
    @TempDir
    Path dir;

    static TokenAuthenticator authenticator(String... settings) {
        return new TokenAuthenticator(IngestSettings.of(settings));
    }

    @Test
    void eachTokenIsItsTenantAndNothingElseIsAnyone() throws Exception {
        TokenAuthenticator auth = authenticator("ingest.auth.tokens", "acme=tok-acme-123, beta = tok-beta-456");
        assertEquals(Optional.of("acme"), auth.tenantFor("Bearer tok-acme-123"));
        assertEquals(Optional.of("beta"), auth.tenantFor("bearer tok-beta-456"), "the scheme is case-insensitive; spaces around = are trimmed");
        assertEquals(Optional.empty(), auth.tenantFor("Bearer tok-acme-12"));
        assertEquals(Optional.empty(), auth.tenantFor("Bearer tok-acme-1234"));
        assertEquals(Optional.empty(), auth.tenantFor("Basic dG9rLWFjbWUtMTIz"));
        assertEquals(Optional.empty(), auth.tenantFor(null));
        assertEquals(Optional.empty(), auth.tenantFor("Bearer "));
    }

    @Test
    void tokensFromAMountedFileWithComments() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "# tenant=token\nacme=from-file-1\n\nbeta=from-file-2\n");
        TokenAuthenticator auth = authenticator("ingest.auth.tokens-file", file.toString(), "ingest.auth.tokens", "gamma=from-env");
        assertEquals(Optional.of("acme"), auth.tenantFor("Bearer from-file-1"));
        assertEquals(Optional.of("beta"), auth.tenantFor("Bearer from-file-2"));
        assertEquals(Optional.of("gamma"), auth.tenantFor("Bearer from-env"), "both sources together");
    }

    @Test
    void authOffMakesEveryoneTheDefaultTenant() throws Exception {
        TokenAuthenticator auth = authenticator("ingest.auth.enabled", "false", "ingest.auth.default-tenant", "local");
        assertFalse(auth.enabled());
        assertEquals(Optional.of("local"), auth.tenantFor(null));
        assertEquals(Optional.of("local"), auth.tenantFor("Bearer anything"));
    }

    @Test
    void badSettingsStopTheStartWithoutShowingAToken() {
        String none = assertThrows(IllegalStateException.class, () -> authenticator()).getMessage();
        assertTrue(none.startsWith("ingest.auth.enabled is true but no token is configured"), none);
        String noEquals = assertThrows(IllegalStateException.class, () -> authenticator("ingest.auth.tokens", "acme=ok,secret-token-value")).getMessage();
        assertEquals("ingest.auth.tokens: entry 2 is not tenant=token", noEquals);
        String badTenant = assertThrows(IllegalStateException.class, () -> authenticator("ingest.auth.tokens", "ac me=secret-token-value")).getMessage();
        assertTrue(badTenant.startsWith("ingest.auth.tokens: entry 1: tenant must be"), badTenant);
        assertFalse(noEquals.contains("secret-token-value") || badTenant.contains("secret-token-value"));
    }
}
