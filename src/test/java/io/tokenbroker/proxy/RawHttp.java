package io.tokenbroker.proxy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for what {@code java.net.http} and REST Assured will not send: a
 * request target exactly as written (no normalisation of {@code ..}, {@code //} or escapes), and
 * headers such as {@code Connection} or {@code Keep-Alive} that those clients own.
 */
final class RawHttp {

    /** An answer: its status, headers (names lower-cased) and body. */
    record Answer(int status, Map<String, List<String>> headers, byte[] body) {

        /** The first value of header {@code name}, or {@code null}. */
        String header(String name) {
            List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }

        List<String> headers(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code method target} with these header lines ({@code "Name: value"}) and {@code body} (may
     * be {@code null}) on a new connection, and reads the answer. Adds {@code Host}, {@code Content-Length}
     * for a body, and {@code Connection: close} unless a {@code Connection} header is given.
     */
    static Answer send(int port, String method, String target, List<String> headerLines, byte[] body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head(port, method, target, headerLines, body == null ? -1 : body.length));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()), method);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Declares a body of {@code body.length} bytes and waits a moment for an answer before sending it, as
     * a server may refuse a declared size unread; sends the body only if no answer came by then (and
     * stops sending if the server closes its side).
     */
    static Answer sendDeclaredBody(int port, String method, String target, List<String> headerLines, byte[] body) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head(port, method, target, headerLines, body.length));
            out.flush();
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
            socket.setSoTimeout(2_000);
            in.mark(1);
            try {
                in.read();
                in.reset();
            } catch (SocketTimeoutException noEarlyAnswer) {
                writeWhileOpen(out, body);
            }
            socket.setSoTimeout(30_000);
            return read(in, method);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code body} in chunks ({@code Transfer-Encoding: chunked}, no declared length), stopping as
     * soon as an answer starts to arrive, as a server may refuse a body once it has read too much of it.
     */
    static Answer sendChunked(int port, String method, String target, List<String> headerLines, byte[] body) {
        List<String> lines = new ArrayList<>(headerLines);
        lines.add("Transfer-Encoding: chunked");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(head(port, method, target, lines, -1));
            try {
                for (int offset = 0; offset < body.length && in.available() == 0; offset += 16 * 1024) {
                    int size = Math.min(16 * 1024, body.length - offset);
                    out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, offset, size);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                if (in.available() == 0) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException closedByServer) {
                // the answer (if any) is read next
            }
            return read(in, method);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeWhileOpen(OutputStream out, byte[] body) {
        try {
            for (int offset = 0; offset < body.length; offset += 16 * 1024) {
                out.write(body, offset, Math.min(16 * 1024, body.length - offset));
            }
            out.flush();
        } catch (IOException closedByServer) {
            // the answer (if any) is read next
        }
    }

    private static byte[] head(int port, String method, String target, List<String> headerLines, int length) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        headerLines.forEach(line -> head.append(line).append("\r\n"));
        if (length >= 0) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        if (headerLines.stream().noneMatch(line -> line.toLowerCase(Locale.ROOT).startsWith("connection:"))) {
            head.append("Connection: close\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Answer read(InputStream in, String method) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, List<String>> headers = headers(in);
        while (status == 100) {
            statusLine = line(in);
            status = Integer.parseInt(statusLine.split(" ")[1]);
            headers = headers(in);
        }
        byte[] body;
        if ("HEAD".equals(method) || status == 204 || status == 304) {
            body = new byte[0];
        } else if (headers.getOrDefault("transfer-encoding", List.of()).stream().anyMatch(v -> v.contains("chunked"))) {
            body = chunked(in);
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length").get(0).trim()));
        } else {
            body = in.readAllBytes();
        }
        return new Answer(status, headers, body);
    }

    private static Map<String, List<String>> headers(InputStream in) throws IOException {
        Map<String, List<String>> headers = new TreeMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return headers;
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
            body.write(in.readNBytes(size));
            line(in);
        }
        while (!line(in).isEmpty()) {
            // trailers
        }
        return body.toByteArray();
    }

    private static int chunkSize(InputStream in) throws IOException {
        String line = line(in);
        int extension = line.indexOf(';');
        return Integer.parseInt((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-line after: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
