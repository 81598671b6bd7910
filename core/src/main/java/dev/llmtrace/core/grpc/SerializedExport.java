package dev.llmtrace.core.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
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
    /** Clients send the bytes given; servers receive the request as its bytes, to check on the wire or parse. */
    public static final MethodDescriptor<byte[], ExportTraceServiceResponse> METHOD = TraceServiceGrpc.getExportMethod()
            .toBuilder(new BytesMarshaller(), ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
            .build();

    /** The trace service with that method, keeping the proto schema (for reflection). */
    private static final ServiceDescriptor SERVICE = ServiceDescriptor.newBuilder(TraceServiceGrpc.SERVICE_NAME)
            .setSchemaDescriptor(TraceServiceGrpc.getServiceDescriptor().getSchemaDescriptor())
            .addMethod(METHOD)
            .build();

    private SerializedExport() {}

    /** A TraceService whose Export takes the request as bytes: what a {@code BindableService} returns from {@code bindService()}. */
    public static ServerServiceDefinition service(ServerCalls.UnaryMethod<byte[], ExportTraceServiceResponse> export) {
        return ServerServiceDefinition.builder(SERVICE).addMethod(METHOD, ServerCalls.asyncUnaryCall(export)).build();
    }

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
