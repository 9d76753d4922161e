package io.pseries.core.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

/**
 * The exact refusal of every malformed layout the stream reader and the section decoder can
 * meet: a section's body that ends inside a field, a name that is not UTF-8, an unknown type tag,
 * a field given twice, fields that differ from the schema, and the section layout around them.
 * The streams are built byte by byte here (valid checksums), so the wording is pinned whatever
 * the reader does to be fast: it is built only when it refuses, and it must stay the same.
 */
class StreamRefusalWordingTest {

    /** A section with a schema and no state: {@code load} only reads the fields the schema declares. */
    private record Probe(String name, Schema schema) implements SnapshotSection {
        @Override
        public int version() {
            return 1;
        }

        @Override
        public void save(SectionWriter w) {
        }

        @Override
        public Runnable load(SectionReader r) {
            for (Schema.Field f : schema.fields()) {
                switch (f.type()) {
                    case BOOL -> r.bool(f.name());
                    case U32 -> r.u32(f.name());
                    case I64 -> r.i64(f.name());
                    case STRING -> r.string(f.name());
                    case INTS -> r.ints(f.name());
                    default -> r.bytes(f.name());
                }
            }
            return () -> { };
        }
    }

    private static final Schema PROBE = Schema.of("a", FieldType.U32, "b", FieldType.I64, "c", FieldType.INTS,
        "d", FieldType.STRING, "e", FieldType.BOOL);

    private static List<SnapshotSection> machine() {
        return List.of(new Probe(ConfigSection.NAME, Schema.of()), new Probe("s", PROBE));
    }

    /** The message restoring a stream of the config section and section "s" with {@code body} gives. */
    private static String refusal(byte[] body) {
        byte[] stream = stream(section(ConfigSection.NAME, new byte[0]), section("s", body));
        return assertThrows(SnapshotException.class, () -> MachineSnapshot.restore(machine(), stream, () -> { }))
            .getMessage();
    }

    /** A body of the five probe fields, well formed, with {@code tail} after them. */
    private static byte[] good(byte[]... tail) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(field("a", 3, 0, 0, 0, 7));
        o.writeBytes(field("b", 4, 0, 0, 0, 0, 0, 0, 0, 9));
        o.writeBytes(field("c", 7, 0, 0, 0, 1, 0, 0, 0, 5));
        o.writeBytes(field("d", 5, 0, 0, 0, 2, 'o', 'k'));
        o.writeBytes(field("e", 1, 1));
        for (byte[] t : tail) {
            o.writeBytes(t);
        }
        return o.toByteArray();
    }

    @Test
    void wellFormedLoads() {
        byte[] stream = stream(section(ConfigSection.NAME, new byte[0]), section("s", good()));
        MachineSnapshot.restore(machine(), stream, () -> { });
    }

    @Test
    void bodiesEndingInsideAFieldNameTheFieldAndWhatIsLeft() {
        String s = "snapshot section 's': ";
        assertEquals(s + "truncated while reading field name length (needs 2 bytes, 1 left)", refusal(good(bytes(0))));
        assertEquals(s + "truncated while reading field name (needs 5 bytes, 1 left)", refusal(good(bytes(0, 5, 'x'))));
        assertEquals(s + "truncated while reading type of field 'x' (needs 1 bytes, 0 left)",
            refusal(good(bytes(0, 1, 'x'))));
        assertEquals(s + "truncated while reading field 'x' (needs 4 bytes, 2 left)", refusal(good(bytes(0, 1, 'x', 3, 0, 0))));
        assertEquals(s + "truncated while reading field 'x' (needs 1 bytes, 0 left)", refusal(good(bytes(0, 1, 'x', 2))));
        // an i64 is read as two words: a body ending in the second names what the second needs
        assertEquals(s + "truncated while reading field 'x' (needs 4 bytes, 1 left)",
            refusal(good(bytes(0, 1, 'x', 4, 0, 0, 0, 0, 1))));
        assertEquals(s + "truncated while reading field 'x' length (needs 4 bytes, 3 left)",
            refusal(good(bytes(0, 1, 'x', 8, 0, 0, 0))));
        assertEquals(s + "truncated while reading field 'x' (needs 8 bytes, 4 left)",
            refusal(good(bytes(0, 1, 'x', 7, 0, 0, 0, 2, 0, 0, 0, 1))));
        assertEquals(s + "truncated while reading field 'x' (needs 16 bytes, 0 left)",
            refusal(good(bytes(0, 1, 'x', 8, 0, 0, 0, 2))));
        assertEquals(s + "truncated while reading field 'x' (needs 3 bytes, 1 left)",
            refusal(good(bytes(0, 1, 'x', 6, 0, 0, 0, 3, 1))));
        assertEquals(s + "truncated while reading field 'x' (needs 2 bytes, 0 left)",
            refusal(good(bytes(0, 1, 'x', 5, 0, 0, 0, 2))));
        // a schema field's own name in the message, not another's
        assertEquals(s + "truncated while reading field 'a' (needs 4 bytes, 3 left)", refusal(bytes(0, 1, 'a', 3, 0, 0, 0)));
    }

    @Test
    void badValuesAndNamesAreNamed() {
        String s = "snapshot section 's': ";
        assertEquals(s + "field name is not valid UTF-8", refusal(good(bytes(0, 2, 0xc3, 0x28, 3, 0, 0, 0, 0))));
        assertEquals(s + "field 'x' is not valid UTF-8", refusal(good(bytes(0, 1, 'x', 5, 0, 0, 0, 1, 0xff))));
        assertEquals(s + "field 'x' has unknown type tag 9", refusal(good(bytes(0, 1, 'x', 9))));
        assertEquals(s + "field 'x' has unknown type tag 0", refusal(good(bytes(0, 1, 'x', 0))));
        assertEquals(s + "field 'e' is a bool but holds 2", refusal(bytes(0, 1, 'e', 1, 2)));
        assertEquals(s + "negative length -1 of field 'c'", refusal(bytes(0, 1, 'c', 7, 0xff, 0xff, 0xff, 0xff)));
        assertEquals(s + "negative length -2147483648 of field 'x'", refusal(good(bytes(0, 1, 'x', 6, 0x80, 0, 0, 0))));
        assertEquals(s + "field 'a' appears twice", refusal(good(field("a", 3, 0, 0, 0, 1))));
        assertEquals(s + "field 'x' appears twice", refusal(good(field("x", 3, 0, 0, 0, 1), field("x", 2, 1))));
        // a name that is valid UTF-8 but not ASCII
        assertEquals(s + "field 'é' is not in the schema of version 1", refusal(good(bytes(0, 2, 0xc3, 0xa9, 2, 1))));
    }

    @Test
    void fieldsThatDifferFromTheSchemaAreNamed() {
        String s = "snapshot section 's': ";
        assertEquals(s + "field 'x' is not in the schema of version 1", refusal(good(field("x", 2, 1))));
        assertEquals(s + "field 'b' is u32, the schema says i64",
            refusal(cat(field("a", 3, 0, 0, 0, 7), field("b", 3, 0, 0, 0, 9))));
        assertEquals(s + "field 'c' is missing", refusal(cat(field("a", 3, 0, 0, 0, 7), field("b", 4, 0, 0, 0, 0, 0, 0, 0, 9),
            field("d", 5, 0, 0, 0, 0), field("e", 1, 0))));
        // fields in another order than the schema's are the same fields
        byte[] shuffled = cat(field("e", 1, 0), field("d", 5, 0, 0, 0, 0), field("c", 7, 0, 0, 0, 0),
            field("b", 4, 0, 0, 0, 0, 0, 0, 0, 9), field("a", 3, 0, 0, 0, 7));
        MachineSnapshot.restore(machine(), stream(section(ConfigSection.NAME, new byte[0]), section("s", shuffled)), () -> { });
    }

    @Test
    void sectionLayoutRefusalsNameThePart() {
        byte[] cfg = section(ConfigSection.NAME, new byte[0]);
        byte[] s = section("s", good());
        assertEquals("snapshot section 's': appears twice in the stream", restoreRefusal(stream(cfg, s, s)));
        byte[] bad = s.clone();
        bad[bad.length - 1] ^= 1;
        assertEquals("snapshot section 's': checksum mismatch (the stream is corrupt)", restoreRefusal(stream(cfg, bad)));
        byte[] cut = stream(cfg, s);
        assertEquals("snapshot section 's': truncated while reading checksum (needs 4 bytes, 2 left)",
            restoreRefusal(java.util.Arrays.copyOf(cut, cut.length - 2)));
        byte[] two = stream(cfg, s);
        two[13]++;                                   // three sections announced, two there
        fixHeader(two);
        assertEquals("snapshot section '#2': truncated while reading section name length (needs 2 bytes, 0 left)",
            restoreRefusal(two));
        assertEquals("snapshot section '#1': section name is not valid UTF-8",
            restoreRefusal(stream(cfg, sectionNamed(bytes(0xff), good()))));
        assertEquals("snapshot section 'ö': foreign stream: this machine has no such component (its sections: config, s)",
            restoreRefusal(stream(cfg, section("s", good()), sectionNamed("ö".getBytes(StandardCharsets.UTF_8), good()))));
        assertEquals("snapshot 3 bytes follow the last section (2 announced): the stream is corrupt",
            restoreRefusal(cat(stream(cfg, s), bytes(1, 2, 3))));
    }

    /** The writer lays a stream out as the hand-built one here: the two describe the same format. */
    @Test
    void theWriterLaysOutTheSameBytes() {
        Schema schema = Schema.of("a", FieldType.U32, "é", FieldType.BOOL);
        SectionWriter w = new SectionWriter("s", schema);
        w.u32("a", 7).bool("é", true);
        byte[] body = w.finish();
        assertArrayEquals(cat(field("a", 3, 0, 0, 0, 7), bytes(0, 2, 0xc3, 0xa9, 1, 1)), body);
        byte[] written = SnapshotStream.encode(List.of(new SnapshotStream.RawSection(ConfigSection.NAME, 1, 1, new byte[0]),
            new SnapshotStream.RawSection("s", 1, 1, body)));
        assertArrayEquals(stream(section(ConfigSection.NAME, new byte[0]), section("s", body)), written);
    }

    private static String restoreRefusal(byte[] stream) {
        return assertThrows(SnapshotException.class, () -> MachineSnapshot.restore(machine(), stream, () -> { }))
            .getMessage();
    }

    // ---------------------------------------------------------------- the layout, by hand

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** One field: its one-byte-long ASCII name, the tag and the value bytes. */
    private static byte[] field(String name, int tag, int... value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return cat(bytes(0, n.length), n, bytes(tag), bytes(value));
    }

    private static byte[] section(String name, byte[] body) {
        return sectionNamed(name.getBytes(StandardCharsets.UTF_8), body);
    }

    private static byte[] sectionNamed(byte[] n, byte[] body) {
        int len = body.length;
        byte[] head = cat(bytes(n.length >> 8, n.length), n, bytes(0, 1, 0, 1, len >>> 24, len >>> 16, len >>> 8, len));
        byte[] s = cat(head, body);
        return cat(s, be32(crc(s)));
    }

    private static byte[] stream(byte[]... sections) {
        byte[] h = cat("PSERSNAP".getBytes(StandardCharsets.US_ASCII), bytes(0, 1), be32(sections.length), be32(0));
        fixHeader(h);
        return cat(h, cat(sections));
    }

    private static void fixHeader(byte[] b) {
        System.arraycopy(be32(crc(java.util.Arrays.copyOf(b, 14))), 0, b, 14, 4);
    }

    private static int crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    private static byte[] be32(int v) {
        return bytes(v >>> 24, v >>> 16, v >>> 8, v);
    }
}
