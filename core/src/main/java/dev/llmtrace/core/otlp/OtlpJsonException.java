package dev.llmtrace.core.otlp;

/** A body that is not valid OTLP/JSON. The message names the JSON location and never echoes content. */
public final class OtlpJsonException extends IllegalArgumentException {
    public OtlpJsonException(String message) {
        super(message);
    }

    public OtlpJsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
