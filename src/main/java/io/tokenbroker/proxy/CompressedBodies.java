package io.tokenbroker.proxy;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Inflates a platform answer compressed with {@code gzip} or {@code deflate}, for the broker's own
 * look at it only, and never beyond a bound: a few kilobytes that inflate to gigabytes (a zip bomb)
 * cost at most the bound.
 */
final class CompressedBodies {

    private CompressedBodies() {
    }

    /** Whether {@code encoding} is one this class inflates ({@code gzip}, {@code x-gzip}, {@code deflate}). */
    static boolean known(String encoding) {
        return encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip")
                || encoding.equalsIgnoreCase("deflate");
    }

    /**
     * {@code body} inflated, or {@code null} when it is not valid in {@code encoding} or inflates to more
     * than {@code most} bytes. {@code deflate} is zlib-wrapped as RFC 9110 says, or raw, as some servers send it.
     */
    static Buffer inflate(Buffer body, String encoding, int most) {
        byte[] bytes = body.getBytes();
        if (encoding.equalsIgnoreCase("deflate")) {
            Buffer wrapped = read(bytes, most, false);
            return wrapped != null ? wrapped : read(bytes, most, true);
        }
        if (!known(encoding)) {
            return null;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return bounded(in, most);
        } catch (IOException | RuntimeException notGzip) {
            return null;
        }
    }

    private static Buffer read(byte[] bytes, int most, boolean raw) {
        Inflater inflater = new Inflater(raw);
        try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(bytes), inflater)) {
            return bounded(in, most);
        } catch (IOException | RuntimeException notDeflate) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static Buffer bounded(InputStream in, int most) throws IOException {
        byte[] inflated = in.readNBytes(most + 1);
        return inflated.length > most ? null : Buffer.buffer(inflated);
    }
}
