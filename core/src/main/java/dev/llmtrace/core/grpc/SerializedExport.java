package dev.llmtrace.core.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
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
    /** For clients: the request goes out as the bytes given. */
    public static final MethodDescriptor<byte[], ExportTraceServiceResponse> METHOD = TraceServiceGrpc.getExportMethod()
            .toBuilder(new BytesMarshaller(), ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
            .build();

    /** For servers: the request comes in as its bytes, to be checked on the wire or parsed by the service. */
    public static final MethodDescriptor<byte[], ExportTraceServiceResponse> SERVER_METHOD = METHOD;

    /** The trace service with that method, keeping the proto schema (for reflection). */
    public static final ServiceDescriptor SERVICE = ServiceDescriptor.newBuilder(TraceServiceGrpc.SERVICE_NAME)
            .setSchemaDescriptor(TraceServiceGrpc.getServiceDescriptor().getSchemaDescriptor())
            .addMethod(SERVER_METHOD)
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
