package dev.llmtrace.core.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The id ingest gives each batch it forwards, sent with every attempt of that batch and passed on by enrich to
 * export, so a hop can tell a retry from new data ({@link RepeatedBatches}). It travels as gRPC metadata between
 * the services and in the gRPC {@link Context} inside one, as a deadline does: enrich's forward to export runs in
 * the context of ingest's call and takes the id from there.
 */
public final class BatchIds {
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("x-llmtrace-batch", Metadata.ASCII_STRING_MARSHALLER);
    static final Context.Key<String> CONTEXT = Context.key("llmtrace-batch");

    private BatchIds() {}

    /** A new id: 128 random bits in hex, unique without coordination between ingest replicas. */
    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("%016x%016x", random.nextLong(), random.nextLong());
    }

    /** The batch id of the current call, or null (a caller that sends none). */
    public static String current() {
        return CONTEXT.get();
    }

    /**
     * Runs {@code call} with {@code id} as the current batch id, so a forwarder started in it sends the id along. The
     * context is the batch's own, made from the root: a forward belongs to no call on whose thread it starts, and one
     * started on the callback of the batch before (the all-in-one, one batch settling as the next is taken up) would
     * otherwise extend that batch's context, a link per batch, until gRPC logs the chain and holds all of it.
     */
    public static <T> T with(String id, Supplier<T> call) {
        Context withId = Context.ROOT.withValue(CONTEXT, id);
        Context previous = withId.attach();
        try {
            return call.get();
        } finally {
            withId.detach(previous);
        }
    }
}
