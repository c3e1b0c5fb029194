package io.tokenbroker.proxy;

import io.tokenbroker.api.Problem;
import io.vertx.core.MultiMap;
import java.util.Map;

/**
 * Refuses bytes in a business call that must never reach the platform's HTTP/1.1 connection, shared by
 * every caller: HTTP/2 lets a caller put CR, LF or NUL in a header value, which an HTTP/1.1 request
 * would carry as a line break (an obs-fold, a header of the caller's making: request smuggling on a
 * lenient platform). So: header names of token characters only, header values without a control
 * character but HTAB (RFC 9110 5.5), and a query of visible ASCII only (control characters, DEL, space
 * and raw bytes outside ASCII are refused; their percent-encoded forms pass through as sent). Nothing
 * of the caller's bytes is echoed or logged.
 */
final class CallerBytes {

    private CallerBytes() {
    }

    /** The 400 for {@code headers} and {@code rawQuery} (or {@code null}), or {@code null} when they may go on. */
    static Problem refusal(MultiMap headers, String rawQuery) {
        for (Map.Entry<String, String> header : headers) {
            if (!isToken(header.getKey())) {
                return new Problem(400, "invalid-header", "Invalid header",
                        "a header name holds a character outside RFC 9110's token characters");
            }
            if (!isFieldValue(header.getValue())) {
                return new Problem(400, "invalid-header", "Invalid header", "the value of header '" + header.getKey()
                        + "' holds a control character (CR, LF, NUL or another; only HTAB is allowed)");
            }
        }
        if (rawQuery != null && !isVisibleAscii(rawQuery)) {
            return new Problem(400, "invalid-query", "Invalid query", "the query holds a control character, a "
                    + "space, DEL or a byte outside ASCII: percent-encode it");
        }
        return null;
    }

    private static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        // An HTTP/2 pseudo-header (":path"), should the server list it, is named by HTTP/2 itself.
        for (int i = name.charAt(0) == ':' ? 1 : 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}
