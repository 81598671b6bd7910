package dev.llmtrace.bench.pipeline;

import com.google.common.primitives.Bytes;
import com.google.protobuf.ByteString;
import dev.llmtrace.core.otlp.OtlpJson;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * OpenRouter Broadcast's shape of load: one span per OTLP/HTTP JSON request, many keep-alive connections,
 * each with one request in flight (closed loop). The trace id carries the send time for {@link LatencySink},
 * as with {@link LoadClient}; the HTTP answer's latency is recorded here. Netty keeps the client's own cost
 * per request far below a contender's.
 */
final class BroadcastClient implements AutoCloseable {
    private static final HexFormat HEX = HexFormat.of();
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final int port;
    private final String bearerToken;
    private final byte[] template;
    private final int traceIdAt;
    private final int spanIdAt;
    private final AtomicLong ids = new AtomicLong(1L << 40); // apart from LoadClient's ids
    final AtomicLong acceptedSpans = new AtomicLong();
    final AtomicLong refusedRequests = new AtomicLong();
    final Recorder answerMicros = new Recorder(3);

    BroadcastClient(int port, String bearerToken, ExportTraceServiceRequest fixture) {
        this.port = port;
        this.bearerToken = bearerToken;
        Span span = fixture.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        ByteString traceMarker = ByteString.copyFrom(new byte[] {0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5B});
        ByteString spanMarker = ByteString.copyFrom(new byte[] {0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5A, 0x5C});
        ExportTraceServiceRequest one = fixture.toBuilder().setResourceSpans(0, fixture.getResourceSpans(0).toBuilder()
                .setScopeSpans(0, fixture.getResourceSpans(0).getScopeSpans(0).toBuilder().clearSpans()
                        .addSpans(span.toBuilder().setTraceId(traceMarker).setSpanId(spanMarker).clearParentSpanId()))).build();
        template = OtlpJson.toJson(one);
        traceIdAt = Bytes.indexOf(template, HEX.formatHex(traceMarker.toByteArray()).getBytes(StandardCharsets.US_ASCII));
        spanIdAt = Bytes.indexOf(template, HEX.formatHex(spanMarker.toByteArray()).getBytes(StandardCharsets.US_ASCII));
        if (traceIdAt < 0 || spanIdAt < 0) {
            throw new IllegalStateException("marker ids not found in the JSON request");
        }
    }

    /** A fresh request: trace id = send time + a counter, span id = the counter, as hex in the JSON. */
    private byte[] nextRequest(long sentAt) {
        byte[] body = template.clone();
        long id = ids.getAndIncrement();
        hex(body, traceIdAt, sentAt);
        hex(body, traceIdAt + 16, id);
        hex(body, spanIdAt, id);
        return body;
    }

    private static void hex(byte[] into, int at, long value) {
        byte[] digits = HEX.toHexDigits(value).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, into, at, 16);
    }

    /** Keeps one request in flight on each of {@code connections} for {@code seconds}. */
    void closedLoop(int connections, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            all.add(new Connection(end));
        }
        for (Connection c : all) {
            c.done.await(seconds + 60L, TimeUnit.SECONDS);
        }
    }

    /** One keep-alive connection: sends the next request when the answer to the last one is in. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private final long end;
        private Channel channel;
        private long sentAt;

        Connection(long end) throws InterruptedException {
            this.end = end;
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), Connection.this);
                        }
                    });
            b.connect("127.0.0.1", port).addListener(f -> {
                if (f.isSuccess()) {
                    channel = ((io.netty.channel.ChannelFuture) f).channel();
                    send();
                } else {
                    done.countDown();
                }
            });
        }

        private void send() {
            if (System.nanoTime() >= end) {
                channel.close();
                done.countDown();
                return;
            }
            sentAt = System.nanoTime();
            byte[] body = nextRequest(sentAt);
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/traces", Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, "127.0.0.1:" + port)
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            if (bearerToken != null) {
                request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearerToken);
            }
            channel.writeAndFlush(request);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            answerMicros.recordValue(Math.max(0, (System.nanoTime() - sentAt) / 1000));
            if (response.status().code() == 200) {
                acceptedSpans.incrementAndGet();
            } else {
                refusedRequests.incrementAndGet();
            }
            send();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.countDown();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            refusedRequests.incrementAndGet();
            ctx.close();
        }
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
