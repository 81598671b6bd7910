package dev.llmtrace.bench.pipeline;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Counts the spans of a serialized ExportTraceServiceRequest and reads its first trace id's first 8 bytes, building nothing. */
final class WireCount {
    private WireCount() {}

    static int spans(byte[] request, long[] firstTraceId) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(request);
            int[] count = {0};
            nested(in, 1, () -> nested(in, 2, () -> nested(in, 2, () -> span(in, count, firstTraceId))));
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

    private static void span(CodedInputStream in, int[] count, long[] firstTraceId) throws IOException {
        if (count[0]++ == 0) {
            int tag;
            while ((tag = in.readTag()) != 0) {
                if (WireFormat.getTagFieldNumber(tag) == 1) {
                    byte[] id = in.readByteArray();
                    long v = 0;
                    for (int i = 0; i < 8 && i < id.length; i++) {
                        v = (v << 8) | (id[i] & 0xFF);
                    }
                    firstTraceId[0] = v;
                } else {
                    in.skipField(tag);
                }
            }
        } else {
            in.skipRawBytes(in.getBytesUntilLimit());
        }
    }
}
