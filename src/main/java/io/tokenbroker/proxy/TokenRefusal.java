package io.tokenbroker.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Recognises a platform answer that refuses the token: HTTP 401, or the platform's JSON envelope with
 * {@code ok} not true and a {@code code} among the client's {@code token-rejected-codes} (the platform's
 * document does not list its codes, so they are configured). Only answers up to
 * {@value #MOST_INSPECTED} bytes are read for the envelope, inflated first when a gateway compressed
 * them; larger or other answers are never a refusal and stream through untouched.
 */
final class TokenRefusal {

    /** Largest answer body read for an envelope. */
    static final int MOST_INSPECTED = 64 * 1024;

    private static final JsonFactory JSON = new JsonFactory();
    private static final String APPLICATION_JSON = "application/json";
    private static final String PLUS_JSON = "+json";

    private final Set<Integer> rejectedCodes;
    private final byte[][] codeDigits;

    TokenRefusal(Set<Integer> rejectedCodes) {
        this.rejectedCodes = Set.copyOf(rejectedCodes);
        this.codeDigits = rejectedCodes.stream().map(code -> Integer.toString(code).getBytes(StandardCharsets.US_ASCII))
                .toArray(byte[][]::new);
    }

    /** Whether the status alone says the token was refused. */
    static boolean byStatus(int status) {
        return status == 401;
    }

    /**
     * Whether an answer with these headers may be an envelope worth reading: not declared larger than
     * the limit, in the clear or compressed with {@code gzip} or {@code deflate} (a gateway compresses
     * for callers that accept it), and of any type when its length is declared (gateways label errors
     * {@code text/plain} or nothing at all); of a JSON type, or none, when it is not. A stream of events
     * or parts is never held back.
     */
    static boolean inspectable(MultiMap headers) {
        if (!decodable(headers.get(HttpHeaders.CONTENT_ENCODING))) {
            return false;
        }
        String type = headers.get(HttpHeaders.CONTENT_TYPE);
        if (type != null && (startsWithIgnoringCase(type, "text/event-stream") || startsWithIgnoringCase(type, "multipart/"))) {
            return false;
        }
        String length = headers.get(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return type == null || isJson(type) || startsWithIgnoringCase(type, "text/plain");
        }
        try {
            return Long.parseLong(length.strip()) <= MOST_INSPECTED;
        } catch (NumberFormatException malformed) {
            return false;
        }
    }

    /**
     * Whether the body of an answer sent with this {@code Content-Encoding} (or {@code null}) is an
     * envelope refusing the token: a compressed body is inflated for this look only, to at most
     * {@value #MOST_INSPECTED} bytes (a small bomb inflates no further); the caller still gets it as sent.
     */
    boolean byEnvelope(Buffer body, String contentEncoding) {
        if (contentEncoding == null || contentEncoding.isBlank() || contentEncoding.strip().equalsIgnoreCase("identity")) {
            return byEnvelope(body);
        }
        Buffer inflated = CompressedBodies.inflate(body, contentEncoding.strip(), MOST_INSPECTED);
        return inflated != null && byEnvelope(inflated);
    }

    private static boolean decodable(String contentEncoding) {
        return contentEncoding == null || contentEncoding.isBlank() || CompressedBodies.known(contentEncoding.strip())
                || contentEncoding.strip().equalsIgnoreCase("identity");
    }

    private static boolean startsWithIgnoringCase(String text, String prefix) {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /**
     * Whether {@code body} is an envelope refusing the token. Only the top-level {@code ok} and
     * {@code code} are read, with a streaming parser: no tree is built for an ordinary answer.
     */
    boolean byEnvelope(Buffer body) {
        if (!startsAnObject(body) || !mentionsACode(body)) {
            return false; // what nearly every answer is: no parsing needed to tell
        }
        Boolean ok = null;
        String code = null;
        try (JsonParser parser = JSON.createParser(body.getBytes())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("ok")) {
                    ok = value == JsonToken.VALUE_TRUE;
                    if (value.isStructStart()) {
                        parser.skipChildren();
                    }
                } else if (field.equals("code") && (value.isNumeric() || value == JsonToken.VALUE_STRING)) {
                    code = parser.getText().strip();
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
        // Without "ok" it is not the platform's envelope (as platform.PlatformAnswers reads it), whatever its code.
        return Boolean.FALSE.equals(ok) && isRejectedCode(code);
    }

    /** Whether a {@code Content-Type} is {@code application/json} or {@code …+json}, parameters aside; allocates nothing. */
    static boolean isJson(String contentType) {
        int end = contentType.indexOf(';');
        end = end < 0 ? contentType.length() : end;
        while (end > 0 && contentType.charAt(end - 1) == ' ') {
            end--;
        }
        return end == APPLICATION_JSON.length() && contentType.regionMatches(true, 0, APPLICATION_JSON, 0, end)
                || end >= PLUS_JSON.length() && contentType.regionMatches(true, end - PLUS_JSON.length(), PLUS_JSON, 0,
                        PLUS_JSON.length());
    }

    /** Whether the first byte that is not white space opens a JSON object: an envelope's always does. */
    private static boolean startsAnObject(Buffer body) {
        for (int i = 0; i < body.length(); i++) {
            byte b = body.getByte(i);
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '{';
            }
        }
        return false;
    }

    /** Whether the digits of a rejected code occur anywhere in {@code body}: a refusal's always do. */
    private boolean mentionsACode(Buffer body) {
        int length = body.length();
        for (byte[] digits : codeDigits) {
            for (int start = 0; start + digits.length <= length; start++) {
                int matched = 0;
                while (matched < digits.length && body.getByte(start + matched) == digits[matched]) {
                    matched++;
                }
                if (matched == digits.length) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean isRejectedCode(String code) {
        if (code == null) {
            return false;
        }
        try {
            return rejectedCodes.contains(Integer.valueOf(code));
        } catch (NumberFormatException notANumber) {
            return false;
        }
    }
}
