package dev.llmtrace.bench.pipeline;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongConsumer;

/**
 * Counts the spans of a serialized ExportTraceServiceRequest, building nothing, and reports the first
 * eight bytes of each span's trace id (the load client's send time) whenever they change: one report
 * per client request, also when a hop has joined several into one.
 */
final class WireCount {
    private WireCount() {}

    static int spans(byte[] request, LongConsumer sendTimes) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(request);
            int[] count = {0};
            long[] last = {0};
            nested(in, 1, () -> nested(in, 2, () -> nested(in, 2, () -> span(in, count, last, sendTimes))));
            return count[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Body {
        void read() throws IOException;
    }

    /** For each length-delimited field {@code number} up to the current limit, runs {@code body} within it. */
    private static void nested(CodedInputStream in, int number, Body body) throws IOException {
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == number && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int old = in.pushLimit(in.readRawVarint32());
                body.read();
                in.popLimit(old);
            } else {
                in.skipField(tag);
            }
        }
    }

    private static void span(CodedInputStream in, int[] count, long[] last, LongConsumer sendTimes) throws IOException {
        count[0]++;
        int tag;
        while ((tag = in.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                byte[] id = in.readByteArray();
                long v = 0;
                for (int i = 0; i < 8 && i < id.length; i++) {
                    v = (v << 8) | (id[i] & 0xFF);
                }
                if (v != last[0]) {
                    last[0] = v;
                    sendTimes.accept(v);
                }
            } else {
                in.skipField(tag);
            }
        }
    }
}
