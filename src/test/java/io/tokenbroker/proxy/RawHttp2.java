package io.tokenbroker.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One HTTP/2 request over cleartext with prior knowledge, written frame by frame, with header values
 * exactly as given: what a hostile caller can send, and no HTTP client library lets a test send (they
 * refuse CR, LF and NUL in values before anything leaves).
 */
final class RawHttp2 {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int GOAWAY = 7;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int CONTINUATION = 9;

    /** The status and body of the answer; status 0 when the server reset the stream or closed. */
    record Answer(int status, String body) {
    }

    private RawHttp2() {
    }

    /** {@code GET target} on stream 1 with these headers (lower-case names), then the answer. */
    static Answer get(int port, String target, Map<String, String> headers) throws IOException, Http2Exception {
        Http2Headers block = new DefaultHttp2Headers(false).method("GET").scheme("http")
                .authority("127.0.0.1:" + port).path(target);
        headers.forEach(block::add);
        ByteBuf encoded = Unpooled.buffer();
        new DefaultHttp2HeadersEncoder().encodeHeaders(1, block, encoded);
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(PREFACE);
            frame(out, SETTINGS, 0, 0, new byte[0]);
            frame(out, HEADERS, END_STREAM | END_HEADERS, 1, ByteBufUtil.getBytes(encoded));
            out.flush();
            return answer(new DataInputStream(socket.getInputStream()), out);
        } finally {
            encoded.release();
        }
    }

    private static Answer answer(DataInputStream in, OutputStream out) throws IOException, Http2Exception {
        DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        int status = 0;
        while (true) {
            int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7FFFFFFF;
            byte[] payload = in.readNBytes(length);
            if (type == SETTINGS && (flags & 0x1) == 0) {
                frame(out, SETTINGS, 0x1, 0, new byte[0]);
            } else if ((type == HEADERS || type == CONTINUATION) && stream == 1) {
                int from = 0;
                int padding = 0;
                if (type == HEADERS && (flags & PADDED) != 0) {
                    padding = payload[0] & 0xFF;
                    from = 1;
                }
                if (type == HEADERS && (flags & PRIORITY) != 0) {
                    from += 5;
                }
                block.write(payload, from, payload.length - from - padding);
                if ((flags & END_HEADERS) != 0) {
                    CharSequence answered = decoder.decodeHeaders(1, Unpooled.wrappedBuffer(block.toByteArray())).status();
                    status = answered == null ? status : Integer.parseInt(answered.toString());
                    block.reset();
                }
            } else if (type == DATA && stream == 1) {
                body.write(payload);
            } else if (type == RST_STREAM && stream == 1 || type == GOAWAY) {
                return new Answer(status, body.toString(StandardCharsets.UTF_8));
            }
            if (stream == 1 && (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0) {
                return new Answer(status, body.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        out.write(new byte[] {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                (byte) stream});
        out.write(payload);
    }
}
