package dev.llmtrace.core.otlp;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.LongPredicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** gzip with a ceiling on the inflated size, checked while inflating so a gzip bomb costs at most the limit. */
public final class BoundedGzip {

    /** The inflated body would exceed the limit. */
    public static final class TooLargeException extends Exception {
        public TooLargeException(long limit) {
            super("decompressed body exceeds the limit of " + limit + " bytes");
        }
    }

    /** The caller's memory budget refused the next inflated bytes. */
    public static final class RefusedException extends Exception {
        public RefusedException() {
            super("not enough memory for the inflated body now", null, false, false);
        }
    }

    private BoundedGzip() {}

    public static byte[] gunzip(byte[] compressed, long maxBytes) throws TooLargeException {
        try {
            return gunzip(compressed, maxBytes, n -> true);
        } catch (RefusedException e) {
            throw new IllegalStateException(e); // an admission that admits everything refused
        }
    }

    /**
     * Inflates, asking {@code admit} before keeping each further {@code n} inflated bytes, so memory is
     * accounted for while it is taken, not after.
     */
    public static byte[] gunzip(byte[] compressed, long maxBytes, LongPredicate admit) throws TooLargeException, RefusedException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(compressed.length * 4, 1 << 20));
            byte[] chunk = new byte[65536];
            long total = 0;
            int n;
            while ((n = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
                if (!admit.test(n)) {
                    throw new RefusedException();
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid gzip body: " + e.getMessage());
        }
    }

    public static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
