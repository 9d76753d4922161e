package io.pseries.core.snapshot;

/**
 * The type of one named field of a snapshot section, with its tag byte in the stream. Flat
 * arrays ({@link #BYTES}, {@link #INTS}, {@link #LONGS}) are written whole, as one length and
 * the elements, never element by element with names.
 */
public enum FieldType {
    BOOL(1, "bool"),
    U8(2, "u8"),
    U32(3, "u32"),
    I64(4, "i64"),
    STRING(5, "string"),
    BYTES(6, "u8[]"),
    INTS(7, "u32[]"),
    LONGS(8, "i64[]");

    private final int tag;
    private final String schemaName;

    FieldType(int tag, String schemaName) {
        this.tag = tag;
        this.schemaName = schemaName;
    }

    /** The tag byte that precedes a value of this type in the stream. */
    public int tag() {
        return tag;
    }

    /** The name used in the schema dump ({@code ./pseries vmstate --dump}). */
    public String schemaName() {
        return schemaName;
    }

    /** The type of a tag byte, or null for an unknown tag. */
    public static FieldType ofTag(int tag) {
        for (FieldType t : values()) {
            if (t.tag == tag) {
                return t;
            }
        }
        return null;
    }

    /** The type of a schema name, or null. */
    public static FieldType ofSchemaName(String name) {
        for (FieldType t : values()) {
            if (t.schemaName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
