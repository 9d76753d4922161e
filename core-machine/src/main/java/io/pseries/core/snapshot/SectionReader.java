package io.pseries.core.snapshot;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The decoded fields of one section of a stream, by name, with the version the stream wrote
 * them at. A missing field or one of another type is a {@link SnapshotException} naming the
 * section and the field, so a section's loader can read without checking first.
 *
 * <p>Threading: the restoring thread.
 */
public final class SectionReader {
    private final String section;
    private final int version;
    private final Map<String, Object> values;
    private final Map<String, FieldType> types;
    private IncomingClaims claims = new IncomingClaims(null);

    SectionReader(String section, int version, Map<String, Object> values, Map<String, FieldType> types) {
        this.section = section;
        this.version = version;
        this.values = values;
        this.types = types;
    }

    /** Decodes a section body; malformed bodies are refused naming the section. */
    static SectionReader decode(String section, int version, byte[] body) {
        ByteInput in = new ByteInput(body, 0, body.length, section);
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, FieldType> types = new LinkedHashMap<>();
        while (in.remaining() > 0) {
            int nlen = in.u16("field name length");
            String name = in.utf8(nlen, "field name");
            int tag = in.u8("type of field '" + name + "'");
            FieldType t = FieldType.ofTag(tag);
            if (t == null) {
                throw new SnapshotException(section, "field '" + name + "' has unknown type tag " + tag);
            }
            String what = "field '" + name + "'";
            Object v = switch (t) {
                case BOOL -> {
                    int x = in.u8(what);
                    if (x > 1) {
                        throw new SnapshotException(section, what + " is a bool but holds " + x);
                    }
                    yield x == 1;
                }
                case U8 -> in.u8(what);
                case U32 -> in.int32(what);
                case I64 -> in.int64(what);
                case STRING -> in.utf8(in.count(what, 1), what);
                case BYTES -> in.bytes(in.count(what, 1), what);
                case INTS -> {
                    int[] a = new int[in.count(what, 4)];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = in.int32(what);
                    }
                    yield a;
                }
                case LONGS -> {
                    long[] a = new long[in.count(what, 8)];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = in.int64(what);
                    }
                    yield a;
                }
            };
            if (values.put(name, v) != null) {
                throw new SnapshotException(section, what + " appears twice");
            }
            types.put(name, t);
        }
        return new SectionReader(section, version, values, types);
    }

    public String section() {
        return section;
    }

    /** The version the stream wrote this section at (at least the loader's minimum). */
    public int version() {
        return version;
    }

    /** The field names and types present, in stream order. */
    public Map<String, FieldType> types() {
        return Collections.unmodifiableMap(types);
    }

    /** The claims the target will hold once this restore is in (what the PCI sections declared so far). */
    public IncomingClaims claims() {
        return claims;
    }

    SectionReader withClaims(IncomingClaims c) {
        claims = c;
        return this;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    private Object get(String name, FieldType t) {
        FieldType actual = types.get(name);
        if (actual == null) {
            throw new SnapshotException(section, "field '" + name + "' is missing");
        }
        if (actual != t) {
            throw new SnapshotException(section, "field '" + name + "' is " + actual.schemaName() + ", expected "
                + t.schemaName());
        }
        return values.get(name);
    }

    public boolean bool(String name) {
        return (Boolean) get(name, FieldType.BOOL);
    }

    public int u8(String name) {
        return (Integer) get(name, FieldType.U8);
    }

    public int u32(String name) {
        return (Integer) get(name, FieldType.U32);
    }

    public long i64(String name) {
        return (Long) get(name, FieldType.I64);
    }

    public String string(String name) {
        return (String) get(name, FieldType.STRING);
    }

    public byte[] bytes(String name) {
        return (byte[]) get(name, FieldType.BYTES);
    }

    public int[] ints(String name) {
        return (int[]) get(name, FieldType.INTS);
    }

    public long[] longs(String name) {
        return (long[]) get(name, FieldType.LONGS);
    }

    /** A byte array field that must have exactly {@code n} elements in this machine. */
    public byte[] bytes(String name, int n) {
        byte[] a = bytes(name);
        if (a.length != n) {
            throw refuse("field '" + name + "' has " + a.length + " elements, this machine has " + n);
        }
        return a;
    }

    public int[] ints(String name, int n) {
        int[] a = ints(name);
        if (a.length != n) {
            throw refuse("field '" + name + "' has " + a.length + " elements, this machine has " + n);
        }
        return a;
    }

    public long[] longs(String name, int n) {
        long[] a = longs(name);
        if (a.length != n) {
            throw refuse("field '" + name + "' has " + a.length + " elements, this machine has " + n);
        }
        return a;
    }

    /** A u32 that must lie in {@code [min, max]}. */
    public int u32(String name, int min, int max) {
        int v = u32(name);
        if (v < min || v > max) {
            throw refuse("field '" + name + "' is " + v + ", outside [" + min + ", " + max + "]");
        }
        return v;
    }

    /** A refusal naming this section. */
    public SnapshotException refuse(String reason) {
        return new SnapshotException(section, reason);
    }
}
