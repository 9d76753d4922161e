package io.pseries.core.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields a snapshot section writes at its current version, by name and type: what
 * {@code ./pseries vmstate --dump} prints and what the writer and reader enforce (a section
 * cannot write a field its schema does not declare, nor read one of another type).
 *
 * <p>Immutable; any thread.
 */
public final class Schema {
    /** One named, typed field. */
    public record Field(String name, FieldType type) {
    }

    private final Map<String, FieldType> fields;
    /** The same fields by position, and each name's UTF-8 bytes, for a reader matching names as they lie in a stream. */
    private final String[] names;
    private final FieldType[] types;
    private final byte[][] nameBytes;

    private Schema(Map<String, FieldType> fields) {
        this.fields = fields;
        names = fields.keySet().toArray(new String[0]);
        types = fields.values().toArray(new FieldType[0]);
        nameBytes = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            nameBytes[i] = names[i].getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A schema from alternating names and types: {@code of("nr_irqs", U32, "status", BYTES)}. */
    public static Schema of(Object... nameTypePairs) {
        if (nameTypePairs.length % 2 != 0) {
            throw new IllegalArgumentException("schema needs name/type pairs");
        }
        Map<String, FieldType> m = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            String n = (String) nameTypePairs[i];
            if (m.put(n, (FieldType) nameTypePairs[i + 1]) != null) {
                throw new IllegalArgumentException("schema field '" + n + "' declared twice");
            }
        }
        return new Schema(m);
    }

    /** The type of a field, or null when the schema has no such field. */
    public FieldType type(String name) {
        return fields.get(name);
    }

    /** How many fields the schema declares. */
    public int size() {
        return names.length;
    }

    /** The position of field {@code name} in declaration order, or -1. */
    int indexOf(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The type of field {@code i} in declaration order. */
    FieldType type(int i) {
        return types[i];
    }

    /** The name of field {@code i} in declaration order. */
    String name(int i) {
        return names[i];
    }

    /** The UTF-8 bytes of field {@code i}'s name. */
    byte[] nameBytes(int i) {
        return nameBytes[i];
    }

    public List<Field> fields() {
        List<Field> l = new ArrayList<>();
        fields.forEach((n, t) -> l.add(new Field(n, t)));
        return l;
    }

    /** Field name to type name, in declaration order (the schema dump's form). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        fields.forEach((n, t) -> m.put(n, t.schemaName()));
        return m;
    }
}
