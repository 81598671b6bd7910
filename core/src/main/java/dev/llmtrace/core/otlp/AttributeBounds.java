package dev.llmtrace.core.otlp;

import java.util.Arrays;

/**
 * Where each attribute field of one span starts and ends in the request's bytes (its tag included), in the order of
 * the span's attribute list: recorded by {@link SpanDecoder} as it reads them, so that {@link SpanStream} can write a
 * replaced attribute in place without walking the span's fields again. Reused from span to span of one request.
 */
final class AttributeBounds {
    private int[] bounds = new int[64];
    private int count;

    void clear() {
        count = 0;
    }

    void add(int start, int end) {
        if (2 * count + 2 > bounds.length) {
            bounds = Arrays.copyOf(bounds, bounds.length * 2);
        }
        bounds[2 * count] = start;
        bounds[2 * count + 1] = end;
        count++;
    }

    int count() {
        return count;
    }

    int start(int attribute) {
        return bounds[2 * attribute];
    }

    int end(int attribute) {
        return bounds[2 * attribute + 1];
    }
}
