package dev.llmtrace.core.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Context;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A batch's gRPC context is its own: made from the root, not from the context of the thread it starts on. */
class BatchIdsTest {

    @Test
    void aBatchsContextHoldsItsIdAndNothingOfTheContextItStartedIn() {
        Context.Key<String> inbound = Context.key("inbound");
        Context call = Context.ROOT.withValue(inbound, "an inbound call");
        Context previous = call.attach();
        try {
            BatchIds.with("b1", () -> {
                assertEquals("b1", BatchIds.current());
                assertNull(inbound.get(), "nothing of the call on whose thread it started");
                return null;
            });
            assertNull(BatchIds.current(), "and the id is gone after it");
        } finally {
            call.detach(previous);
        }
    }

    @Test
    void batchesEachStartedInTheContextOfTheOneBeforeGrowNoChain() {
        // the all-in-one takes the next batch up on the callback of the one before: gRPC logs a chain of 1,000
        // contexts as an error, and such a chain holds every context in it
        List<LogRecord> severe = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    severe.add(record);
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger grpcContext = Logger.getLogger(Context.class.getName());
        grpcContext.addHandler(handler);
        try {
            Context batch = Context.ROOT;
            for (int i = 0; i < 1_500; i++) {
                Context before = batch;
                Context previous = before.attach();
                try {
                    batch = BatchIds.with(BatchIds.next(), Context::current);
                } finally {
                    before.detach(previous);
                }
            }
        } finally {
            grpcContext.removeHandler(handler);
        }
        assertEquals(List.of(), severe.stream().map(LogRecord::getMessage).toList());
    }
}
