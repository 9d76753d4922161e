package io.pseries.core.snapshot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bounds-checked big-endian reads over a byte range of a snapshot stream. Running past the end
 * is a {@link SnapshotException} "truncated" naming the part being read, never an index error.
 *
 * <p>What is being read is named in two pieces, {@code what} and {@code name} (null, or a field's
 * name that the refusal puts in quotes after {@code what}), so that a reader going field by field
 * builds no text unless it refuses. The part (the section) can be moved on as the reader crosses
 * section boundaries ({@link #at}).
 */
final class ByteInput {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] b;
    private int pos;
    private final int end;
    private String part;
    /** When not negative, the part is {@code part} followed by this number (a section not named yet: "#3"). */
    private int partNumber = -1;
    private CharsetDecoder strict;

    ByteInput(byte[] b, int from, int to, String part) {
        this.b = b;
        this.pos = from;
        this.end = to;
        this.part = part;
    }

    /** The part later refusals name, from here on. */
    ByteInput at(String newPart) {
        part = newPart;
        partNumber = -1;
        return this;
    }

    /** As {@link #at(String)}, the part being {@code prefix} and {@code number}, joined only for a refusal. */
    ByteInput at(String prefix, int number) {
        part = prefix;
        partNumber = number;
        return this;
    }

    private String part() {
        return partNumber < 0 ? part : part + partNumber;
    }

    int pos() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private static String label(String what, String name) {
        return name == null ? what : what + "'" + name + "'";
    }

    private void need(long n, String what, String name) {
        need(n, what, name, "");
    }

    /** {@code suffix} follows the name in the refusal (a field's " length"). */
    private void need(long n, String what, String name, String suffix) {
        if (n < 0 || n > end - pos) {
            throw new SnapshotException(part(), "truncated while reading " + label(what, name) + suffix + " (needs " + n
                + " bytes, " + (end - pos) + " left)");
        }
    }

    int u8(String what, String name) {
        need(1, what, name);
        return b[pos++] & 0xff;
    }

    int u16(String what) {
        need(2, what, null);
        int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int int32(String what) {
        return int32(what, null);
    }

    int int32(String what, String name) {
        need(4, what, name);
        int v = (int) INT.get(b, pos);
        pos += 4;
        return v;
    }

    /** Two words: a range ending inside the second names what the second needs. */
    long int64(String what, String name) {
        long hi = int32(what, name) & 0xffffffffL;
        return (hi << 32) | (int32(what, name) & 0xffffffffL);
    }

    /**
     * A non-negative count of elements of {@code elemSize} bytes that must fit in what is left:
     * refused as the length of {@code what}/{@code name}, then as the elements.
     */
    int count(String what, String name, int elemSize) {
        int n = int32(what, name, " length");
        if (n < 0) {
            throw new SnapshotException(part(), "negative length " + n + " of " + label(what, name));
        }
        need((long) n * elemSize, what, name);
        return n;
    }

    /** {@link #int32(String, String)} whose refusal adds {@code suffix} after the name. */
    private int int32(String what, String name, String suffix) {
        need(4, what, name, suffix);
        int v = (int) INT.get(b, pos);
        pos += 4;
        return v;
    }

    byte[] bytes(int n, String what) {
        need(n, what, null);
        byte[] r = Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return r;
    }

    /** {@code n} bytes whose presence {@link #count} already checked. */
    byte[] counted(int n) {
        byte[] r = Arrays.copyOfRange(b, pos, pos + n);
        pos += n;
        return r;
    }

    /** {@code n} words whose presence {@link #count} already checked, in one pass. */
    int[] countedInts(int n) {
        int[] a = new int[n];
        ByteBuffer.wrap(b, pos, n * 4).order(ByteOrder.BIG_ENDIAN).asIntBuffer().get(a);
        pos += n * 4;
        return a;
    }

    /** {@code n} doublewords whose presence {@link #count} already checked, in one pass. */
    long[] countedLongs(int n) {
        long[] a = new long[n];
        ByteBuffer.wrap(b, pos, n * 8).order(ByteOrder.BIG_ENDIAN).asLongBuffer().get(a);
        pos += n * 8;
        return a;
    }

    /** Skips {@code n} bytes that are known to be there. */
    void skip(int n) {
        pos += n;
    }

    /** Whether the next {@code n} bytes (known to be there) are exactly {@code name}. */
    boolean nextIs(byte[] name, int n) {
        return name.length == n && Arrays.equals(b, pos, pos + n, name, 0, n);
    }

    String utf8(int n, String what) {
        return utf8(n, what, null);
    }

    /** {@code n} bytes of UTF-8; anything else (an overlong form, a lone surrogate) is refused. */
    String utf8(int n, String what, String name) {
        need(n, what, name);
        int ascii = pos;
        while (ascii < pos + n && b[ascii] >= 0) {
            ascii++;
        }
        String s;
        if (ascii == pos + n) {
            // 7-bit bytes are the same characters in UTF-8 and Latin-1, and always valid
            s = new String(b, pos, n, StandardCharsets.ISO_8859_1);
        } else {
            if (strict == null) {
                strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            }
            try {
                s = strict.reset().decode(ByteBuffer.wrap(b, pos, n)).toString();
            } catch (CharacterCodingException e) {
                throw new SnapshotException(part(), label(what, name) + " is not valid UTF-8");
            }
        }
        pos += n;
        return s;
    }
}
