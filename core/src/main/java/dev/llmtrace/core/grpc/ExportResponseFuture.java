package dev.llmtrace.core.grpc;

import dev.llmtrace.core.retry.ExportException;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** The answer of one unary {@code Export} call as a future, its failure sorted by {@code classifier}. */
public final class ExportResponseFuture extends CompletableFuture<ExportTraceServiceResponse>
        implements StreamObserver<ExportTraceServiceResponse> {
    private final Function<Throwable, ExportException> classifier;
    private ExportTraceServiceResponse response = ExportTraceServiceResponse.getDefaultInstance();

    public ExportResponseFuture(Function<Throwable, ExportException> classifier) {
        this.classifier = classifier;
    }

    @Override
    public void onNext(ExportTraceServiceResponse value) {
        response = value;
    }

    @Override
    public void onError(Throwable t) {
        completeExceptionally(classifier.apply(t));
    }

    @Override
    public void onCompleted() {
        complete(response);
    }
}
