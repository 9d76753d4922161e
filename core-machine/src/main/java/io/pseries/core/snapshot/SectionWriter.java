package io.pseries.core.snapshot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the body of one section: each field as its name, its type tag and its value
 * (big-endian; arrays as a count and the elements). Only fields the section's {@link Schema}
 * declares, each once, with the declared type; {@link #finish} checks that none was left out.
 *
 * <p>Threading: one writer per section, on the machine's thread.
 */
public final class SectionWriter {
    private final String section;
    private final Schema schema;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** The body so far: {@code buf[0, len)}; flat arrays are written in one pass, not byte by byte. */
    private byte[] buf = new byte[256];
    private int len;
    /** Which of the schema's fields are written, by position. */
    private final boolean[] written;

    SectionWriter(String section, Schema schema) {
        this.section = section;
        this.schema = schema;
        this.written = new boolean[schema.size()];
    }

    public SectionWriter bool(String name, boolean v) {
        field(name, FieldType.BOOL);
        write(v ? 1 : 0);
        return this;
    }

    public SectionWriter u8(String name, int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("section " + section + " field " + name + ": " + v + " is not a u8");
        }
        field(name, FieldType.U8);
        write(v);
        return this;
    }

    public SectionWriter u32(String name, int v) {
        field(name, FieldType.U32);
        int32(v);
        return this;
    }

    public SectionWriter i64(String name, long v) {
        field(name, FieldType.I64);
        int64(v);
        return this;
    }

    public SectionWriter string(String name, String v) {
        field(name, FieldType.STRING);
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        int32(b.length);
        write(b);
        return this;
    }

    public SectionWriter bytes(String name, byte[] v) {
        field(name, FieldType.BYTES);
        int32(v.length);
        write(v);
        return this;
    }

    public SectionWriter ints(String name, int[] v) {
        field(name, FieldType.INTS);
        int32(v.length);
        ensure(4L * v.length);
        for (int x : v) {
            INT.set(buf, len, x);
            len += 4;
        }
        return this;
    }

    public SectionWriter longs(String name, long[] v) {
        field(name, FieldType.LONGS);
        int32(v.length);
        ensure(8L * v.length);
        for (long x : v) {
            LONG.set(buf, len, x);
            len += 8;
        }
        return this;
    }

    private void field(String name, FieldType t) {
        int k = schema.indexOf(name);
        FieldType declared = k < 0 ? null : schema.type(k);
        if (declared != t) {
            throw new IllegalStateException("section " + section + " writes field '" + name + "' as " + t.schemaName()
                + " but its schema " + (declared == null ? "has no such field" : "declares " + declared.schemaName()));
        }
        if (written[k]) {
            throw new IllegalStateException("section " + section + " writes field '" + name + "' twice");
        }
        written[k] = true;
        byte[] n = schema.nameBytes(k);
        write(n.length >>> 8);
        write(n.length);
        write(n);
        write(t.tag());
    }

    private void ensure(long more) {
        long need = len + more;
        if (need > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("section " + section + " is larger than 2 GiB");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, 2L * buf.length)));
        }
    }

    private void write(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    private void write(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void int32(int v) {
        ensure(4);
        INT.set(buf, len, v);
        len += 4;
    }

    private void int64(long v) {
        ensure(8);
        LONG.set(buf, len, v);
        len += 8;
    }

    byte[] finish() {
        for (int k = 0; k < written.length; k++) {
            if (!written[k]) {
                throw new IllegalStateException("section " + section + " did not write schema field '" + schema.name(k) + "'");
            }
        }
        return Arrays.copyOf(buf, len);
    }
}
