package io.tokenbroker.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The target of a business call, {@code /platform/CLIENT/PATH}, read from the path exactly as the caller
 * sent it, before any routing normalises it. Anything a server on the way could read as another path is
 * refused: {@code .} and {@code ..} segments (also encoded, or followed by {@code ;parameters}), an
 * encoded {@code /} or {@code \}, a {@code \}, empty segments. The platform then sees the path that
 * was granted, byte for byte.
 *
 * @param client the client segment, as sent (a valid client name has nothing to decode)
 * @param rawPath the platform path with its leading {@code /}, forwarded unchanged
 * @param segments the platform path's segments, decoded, as the grants are matched against them
 */
record PlatformPath(String client, String rawPath, List<String> segments) {

    /** Where business calls are served. */
    static final String PREFIX = "/platform/";

    /** Whether a raw request path is one of a business call (valid or not). */
    static boolean isBusinessCall(String rawPath) {
        return rawPath != null && rawPath.startsWith(PREFIX);
    }

    /**
     * The business call {@code rawPath} (starting with {@link #PREFIX}) names.
     *
     * @throws InvalidPlatformPathException if it could be read as another path
     */
    static PlatformPath parse(String rawPath) {
        if (rawPath.indexOf('\\') >= 0) {
            throw new InvalidPlatformPathException("a path must not contain \\");
        }
        int clientEnd = rawPath.indexOf('/', PREFIX.length());
        if (clientEnd <= PREFIX.length() || clientEnd == rawPath.length() - 1) {
            throw new InvalidPlatformPathException("a business call is /platform/CLIENT/PATH, with a non-empty PATH");
        }
        String platformPath = rawPath.substring(clientEnd);
        List<String> segments = new ArrayList<>();
        for (String segment : platformPath.substring(1).split("/", -1)) {
            segments.add(checked(segment));
        }
        return new PlatformPath(rawPath.substring(PREFIX.length(), clientEnd), platformPath, List.copyOf(segments));
    }

    /** The decoded segment, if the platform can read it only as itself. */
    private static String checked(String raw) {
        if (raw.isEmpty()) {
            throw new InvalidPlatformPathException("a path must not have empty segments (//)");
        }
        for (int i = 0; i < raw.length(); i++) {
            if (!isPathCharacter(raw.charAt(i))) {
                throw new InvalidPlatformPathException("a path may hold only RFC 3986 path characters; "
                        + "encode anything else as %XX");
            }
        }
        String decoded = decode(raw);
        if (decoded.indexOf('/') >= 0 || decoded.indexOf('\\') >= 0) {
            throw new InvalidPlatformPathException("a path must not contain an encoded / or \\");
        }
        for (int i = 0; i < decoded.length(); i++) {
            if (decoded.charAt(i) < 0x20 || decoded.charAt(i) == 0x7F) {
                throw new InvalidPlatformPathException("a path must not contain control characters, encoded or not");
            }
        }
        int parameters = decoded.indexOf(';');
        String name = parameters < 0 ? decoded : decoded.substring(0, parameters);
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            // A server that strips ;parameters would read an empty name as //, and . or .. as such.
            throw new InvalidPlatformPathException("a path must not have . or .. segments, or ones of ;parameters only");
        }
        return decoded;
    }

    /** RFC 3986 pchar, raw: unreserved, sub-delims, ':', '@' and '%' (of an escape). */
    private static boolean isPathCharacter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@%".indexOf(c) >= 0;
    }

    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (low < 0) {
                throw new InvalidPlatformPathException("a path has a malformed %-escape");
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidPlatformPathException("a path has %-escapes that are not UTF-8");
        }
    }
}
