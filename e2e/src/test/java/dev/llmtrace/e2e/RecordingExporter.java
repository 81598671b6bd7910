package dev.llmtrace.e2e;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SDK exporter passed through: keeps the spans the real exporter reported exported (to compare with what
 * the backend got) and counts the exports that failed. Its bookkeeping runs before the SDK's own completion
 * callbacks, so after a successful {@code forceFlush} every exported span is here.
 */
final class RecordingExporter implements SpanExporter {
    private final SpanExporter delegate;
    final List<SpanData> exported = new CopyOnWriteArrayList<>();
    final AtomicInteger failures = new AtomicInteger();

    RecordingExporter(SpanExporter delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        CompletableResultCode result = delegate.export(spans);
        result.whenComplete(() -> {
            if (result.isSuccess()) {
                exported.addAll(spans);
            } else {
                failures.incrementAndGet();
            }
        });
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
