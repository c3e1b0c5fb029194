package io.tokenbroker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One command at a time to a test Redis (or Sentinel) over a fresh connection, authenticated with
 * {@link RedisServerProcess#PASSWORD}: enough RESP for the tests to look at what the broker stored,
 * without a client library that would hide how the server answered.
 */
final class RedisCalls {

    private RedisCalls() {
    }

    /** The reply rendered as a string: {@code :N}, {@code +S}, {@code -ERR …}, a bulk's value, nil as null. */
    static String call(String address, int port, String... args) {
        return exchange(address, port, args, RedisCalls::scalar);
    }

    /**
     * The elements of an array reply, each rendered as {@link #call} renders a reply (a nested array
     * as its header, {@code *N}); a nil array as an empty list.
     */
    static List<String> callForList(String address, int port, String... args) {
        return exchange(address, port, args, in -> {
            String header = line(in);
            if (!header.startsWith("*")) {
                throw new IllegalStateException(String.join(" ", args) + " answered " + header);
            }
            List<String> elements = new ArrayList<>();
            for (int i = 0; i < Integer.parseInt(header.substring(1)); i++) {
                elements.add(scalar(in));
            }
            return elements;
        });
    }

    private interface Reply<T> {
        T read(InputStream in) throws IOException;
    }

    private static <T> T exchange(String address, int port, String[] args, Reply<T> reply) {
        try (Socket socket = new Socket(address, port)) {
            socket.getOutputStream().write(command("AUTH", RedisServerProcess.PASSWORD));
            socket.getOutputStream().write(command(args));
            InputStream in = socket.getInputStream();
            String auth = line(in);
            if (!auth.equals("+OK")) {
                throw new IllegalStateException("AUTH failed: " + auth);
            }
            return reply.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String scalar(InputStream in) throws IOException {
        String reply = line(in);
        if (reply.startsWith("$")) {
            if (reply.equals("$-1")) {
                return null;
            }
            // A bulk string may hold line breaks (INFO): read it by its length, then its CRLF.
            byte[] bulk = in.readNBytes(Integer.parseInt(reply.substring(1)));
            line(in);
            return new String(bulk, java.nio.charset.StandardCharsets.UTF_8);
        }
        return reply;
    }

    private static byte[] command(String... args) {
        StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                    .append(arg).append("\r\n");
        }
        return request.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        in.read();
        return line.toString();
    }
}
