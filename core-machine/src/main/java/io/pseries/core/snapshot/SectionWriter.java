package io.pseries.core.snapshot;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

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
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final Set<String> written = new HashSet<>();

    SectionWriter(String section, Schema schema) {
        this.section = section;
        this.schema = schema;
    }

    public SectionWriter bool(String name, boolean v) {
        field(name, FieldType.BOOL);
        out.write(v ? 1 : 0);
        return this;
    }

    public SectionWriter u8(String name, int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException("section " + section + " field " + name + ": " + v + " is not a u8");
        }
        field(name, FieldType.U8);
        out.write(v);
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
        out.write(b, 0, b.length);
        return this;
    }

    public SectionWriter bytes(String name, byte[] v) {
        field(name, FieldType.BYTES);
        int32(v.length);
        out.write(v, 0, v.length);
        return this;
    }

    public SectionWriter ints(String name, int[] v) {
        field(name, FieldType.INTS);
        int32(v.length);
        for (int x : v) {
            int32(x);
        }
        return this;
    }

    public SectionWriter longs(String name, long[] v) {
        field(name, FieldType.LONGS);
        int32(v.length);
        for (long x : v) {
            int64(x);
        }
        return this;
    }

    private void field(String name, FieldType t) {
        FieldType declared = schema.type(name);
        if (declared != t) {
            throw new IllegalStateException("section " + section + " writes field '" + name + "' as " + t.schemaName()
                + " but its schema " + (declared == null ? "has no such field" : "declares " + declared.schemaName()));
        }
        if (!written.add(name)) {
            throw new IllegalStateException("section " + section + " writes field '" + name + "' twice");
        }
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        out.write(n.length >>> 8);
        out.write(n.length);
        out.write(n, 0, n.length);
        out.write(t.tag());
    }

    private void int32(int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }

    byte[] finish() {
        for (Schema.Field f : schema.fields()) {
            if (!written.contains(f.name())) {
                throw new IllegalStateException("section " + section + " did not write schema field '" + f.name() + "'");
            }
        }
        return out.toByteArray();
    }
}
