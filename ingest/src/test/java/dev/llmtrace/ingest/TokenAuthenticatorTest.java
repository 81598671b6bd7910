package dev.llmtrace.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens to tenants, from the same config mapping ingest reads (its application.properties under the test's settings). */
class TokenAuthenticatorTest {
    @TempDir
    Path dir;

    static TokenAuthenticator authenticator(String... settings) throws Exception {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            overrides.put(settings[i], settings[i + 1]);
        }
        IngestConfig config = new SmallRyeConfigBuilder().withMapping(IngestConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(TokenAuthenticatorTest.class.getResource("/application.properties"), 100),
                        new PropertiesConfigSource(overrides, "test", 200))
                .build().getConfigMapping(IngestConfig.class);
        return new TokenAuthenticator(config);
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
