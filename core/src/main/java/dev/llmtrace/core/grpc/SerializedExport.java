package dev.llmtrace.core.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
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
import java.io.OutputStream;
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
            return new BytesStream(value);
        }

        /**
         * One array of the message's size when gRPC knows it (an uncompressed message): readAllBytes would read
         * in chunks and copy them into the result, allocating about twice the message for every call.
         */
        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength) {
                    byte[] message = new byte[stream.available()];
                    int read = stream.readNBytes(message, 0, message.length);
                    if (read == message.length && stream.read() == -1) {
                        return message;
                    }
                    throw new IOException("the message was not the length gRPC announced");
                }
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The bytes to send, with their length known and drained in one write: gRPC frames a stream of unknown length
     * by copying it through buffers first.
     */
    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
