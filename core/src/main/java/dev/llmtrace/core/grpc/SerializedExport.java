package dev.llmtrace.core.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OTLP trace Export method with the request as already-serialized protobuf bytes: what is held in
 * a buffer or a queue as bytes is sent as they are, never parsed and serialized again.
 */
public final class SerializedExport {
    public static final MethodDescriptor<byte[], ExportTraceServiceResponse> METHOD = TraceServiceGrpc.getExportMethod()
            .toBuilder(new BytesMarshaller(), ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
            .build();

    private SerializedExport() {}

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
