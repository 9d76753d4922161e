package io.pseries.core.snapshot;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
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
    /** From this many fields on, names are looked up through a map rather than one by one. */
    private static final int INDEXED = 16;
    private static final FieldType[] BY_TAG = new FieldType[256];

    static {
        for (FieldType t : FieldType.values()) {
            BY_TAG[t.tag()] = t;
        }
    }

    private final String section;
    private final int version;
    /** The fields in stream order: names, types, and the value (scalars in {@code scalars}, the rest in {@code objects}). */
    private String[] names;
    private FieldType[] types;
    private long[] scalars;
    private Object[] objects;
    private int count;
    private Map<String, Integer> index;
    private IncomingClaims claims;

    private SectionReader(String section, int version, int capacity) {
        this.section = section;
        this.version = version;
        names = new String[capacity];
        types = new FieldType[capacity];
        scalars = new long[capacity];
        objects = new Object[capacity];
    }

    /**
     * Decodes the section body {@code data[from, to)}; malformed bodies are refused naming the section. A field whose name is one of
     * {@code schema}'s (null: none) takes the schema's name as it is, without decoding it again:
     * the refusals are the same either way.
     */
    static SectionReader decode(String section, int version, byte[] data, int from, int to, Schema schema) {
        ByteInput in = new ByteInput(data, from, to, section);
        SectionReader r = new SectionReader(section, version, schema == null || schema.size() == 0 ? 4 : schema.size());
        int next = 0;
        while (in.remaining() > 0) {
            int nlen = in.u16("field name length");
            int k = schema == null || nlen > in.remaining() ? -1 : match(schema, in, nlen, next);
            String name;
            if (k >= 0) {
                name = schema.name(k);
                in.skip(nlen);
                next = k + 1;
            } else {
                name = in.utf8(nlen, "field name");
            }
            int tag = in.u8("type of field ", name);
            FieldType t = BY_TAG[tag];
            if (t == null) {
                throw new SnapshotException(section, "field '" + name + "' has unknown type tag " + tag);
            }
            long scalar = 0;
            Object object = null;
            switch (t) {
                case BOOL -> {
                    int x = in.u8("field ", name);
                    if (x > 1) {
                        throw new SnapshotException(section, "field '" + name + "' is a bool but holds " + x);
                    }
                    scalar = x;
                }
                case U8 -> scalar = in.u8("field ", name);
                case U32 -> scalar = in.int32("field ", name);
                case I64 -> scalar = in.int64("field ", name);
                case STRING -> object = in.utf8(in.count("field ", name, 1), "field ", name);
                case BYTES -> object = in.counted(in.count("field ", name, 1));
                case INTS -> object = in.countedInts(in.count("field ", name, 4));
                case LONGS -> object = in.countedLongs(in.count("field ", name, 8));
            }
            r.add(name, t, scalar, object);
        }
        return r;
    }

    /** The schema field whose name the next {@code n} bytes are, trying {@code hint} (the stream's usual order) first; or -1. */
    private static int match(Schema schema, ByteInput in, int n, int hint) {
        if (hint < schema.size() && in.nextIs(schema.nameBytes(hint), n)) {
            return hint;
        }
        for (int k = 0; k < schema.size(); k++) {
            if (k != hint && in.nextIs(schema.nameBytes(k), n)) {
                return k;
            }
        }
        return -1;
    }

    private void add(String name, FieldType t, long scalar, Object object) {
        if (indexOf(name) >= 0) {
            throw new SnapshotException(section, "field '" + name + "' appears twice");
        }
        if (count == names.length) {
            int cap = count * 2;
            names = Arrays.copyOf(names, cap);
            types = Arrays.copyOf(types, cap);
            scalars = Arrays.copyOf(scalars, cap);
            objects = Arrays.copyOf(objects, cap);
        }
        names[count] = name;
        types[count] = t;
        scalars[count] = scalar;
        objects[count] = object;
        if (index != null) {
            index.put(name, count);
        } else if (count + 1 == INDEXED) {
            index = new HashMap<>();
            for (int i = 0; i <= count; i++) {
                index.put(names[i], i);
            }
        }
        count++;
    }

    /** The position of field {@code name}, or -1. */
    private int indexOf(String name) {
        if (index != null) {
            Integer i = index.get(name);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < count; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** How many fields the stream holds for this section. */
    int fieldCount() {
        return count;
    }

    /** The name of field {@code i} in stream order. */
    String fieldName(int i) {
        return names[i];
    }

    /** The type of field {@code i} in stream order. */
    FieldType fieldType(int i) {
        return types[i];
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
        Map<String, FieldType> m = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            m.put(names[i], types[i]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** The claims the target will hold once this restore is in (what the PCI sections declared so far). */
    public IncomingClaims claims() {
        if (claims == null) {
            claims = new IncomingClaims(null);
        }
        return claims;
    }

    SectionReader withClaims(IncomingClaims c) {
        claims = c;
        return this;
    }

    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** The position of field {@code name}, which must be there with type {@code t}. */
    private int get(String name, FieldType t) {
        int i = indexOf(name);
        if (i < 0) {
            throw new SnapshotException(section, "field '" + name + "' is missing");
        }
        if (types[i] != t) {
            throw new SnapshotException(section, "field '" + name + "' is " + types[i].schemaName() + ", expected "
                + t.schemaName());
        }
        return i;
    }

    public boolean bool(String name) {
        return scalars[get(name, FieldType.BOOL)] != 0;
    }

    public int u8(String name) {
        return (int) scalars[get(name, FieldType.U8)];
    }

    public int u32(String name) {
        return (int) scalars[get(name, FieldType.U32)];
    }

    public long i64(String name) {
        return scalars[get(name, FieldType.I64)];
    }

    public String string(String name) {
        return (String) objects[get(name, FieldType.STRING)];
    }

    public byte[] bytes(String name) {
        return (byte[]) objects[get(name, FieldType.BYTES)];
    }

    public int[] ints(String name) {
        return (int[]) objects[get(name, FieldType.INTS)];
    }

    public long[] longs(String name) {
        return (long[]) objects[get(name, FieldType.LONGS)];
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
