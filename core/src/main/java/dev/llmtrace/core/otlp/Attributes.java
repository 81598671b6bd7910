package dev.llmtrace.core.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;

/** Typed attribute builders, so processing steps add attributes in one line each. */
public final class Attributes {
    private Attributes() {}

    public static KeyValue string(String key, String value) {
        return of(key, AnyValue.newBuilder().setStringValue(value).build());
    }

    public static KeyValue decimal(String key, double value) {
        return of(key, AnyValue.newBuilder().setDoubleValue(value).build());
    }

    public static KeyValue integer(String key, long value) {
        return of(key, AnyValue.newBuilder().setIntValue(value).build());
    }

    public static KeyValue bool(String key, boolean value) {
        return of(key, AnyValue.newBuilder().setBoolValue(value).build());
    }

    public static KeyValue of(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }
}
