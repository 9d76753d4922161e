package io.pseries.core.snapshot;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked big-endian reads over a byte range of a snapshot stream. Running past the end
 * is a {@link SnapshotException} "truncated" naming the part being read, never an index error.
 */
final class ByteInput {
    private final byte[] b;
    private int pos;
    private final int end;
    private final String part;

    ByteInput(byte[] b, int from, int to, String part) {
        this.b = b;
        this.pos = from;
        this.end = to;
        this.part = part;
    }

    int pos() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(long n, String what) {
        if (n < 0 || n > end - pos) {
            throw new SnapshotException(part, "truncated while reading " + what + " (needs " + n + " bytes, "
                + (end - pos) + " left)");
        }
    }

    int u8(String what) {
        need(1, what);
        return b[pos++] & 0xff;
    }

    int u16(String what) {
        need(2, what);
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int int32(String what) {
        need(4, what);
        int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long int64(String what) {
        long hi = int32(what) & 0xffffffffL;
        return (hi << 32) | (int32(what) & 0xffffffffL);
    }

    /** A non-negative count of elements of {@code elemSize} bytes that must fit in what is left. */
    int count(String what, int elemSize) {
        int n = int32(what + " length");
        if (n < 0) {
            throw new SnapshotException(part, "negative length " + n + " of " + what);
        }
        need((long) n * elemSize, what);
        return n;
    }

    byte[] bytes(int n, String what) {
        need(n, what);
        byte[] r = java.util.Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return r;
    }

    String utf8(int n, String what) {
        need(n, what);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(b, pos, n)).toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw new SnapshotException(part, what + " is not valid UTF-8");
        }
    }
}
