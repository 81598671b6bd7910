package dev.llmtrace.core.queue;

/** Where a queue's record is: its segment file and the payload's place in it; {@code held}: the payload itself, or null. */
record RecordRef(long id, Segment segment, long offset, int payloadLength, int spans, String tenant, byte[] held) {
    RecordRef released() {
        return held == null ? this : new RecordRef(id, segment, offset, payloadLength, spans, tenant, null);
    }
}
