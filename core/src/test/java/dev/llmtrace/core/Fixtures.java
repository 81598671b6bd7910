package dev.llmtrace.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The sample payloads under {@code src/test/resources/fixtures}, shared with the other modules' tests. */
public final class Fixtures {
    public static final String BROADCAST_FULL = "openrouter-broadcast-full.json";
    public static final String BROADCAST_PRIVACY_ERROR = "openrouter-broadcast-privacy-error.json";
    public static final String TEST_CONNECTION = "openrouter-test-connection.json";
    public static final String OPENINFERENCE_CHAT = "openinference-openai-chat.json";

    /** Every fixture that carries spans. */
    public static final List<String> WITH_SPANS = List.of(BROADCAST_FULL, BROADCAST_PRIVACY_ERROR, OPENINFERENCE_CHAT);

    private Fixtures() {}

    public static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
