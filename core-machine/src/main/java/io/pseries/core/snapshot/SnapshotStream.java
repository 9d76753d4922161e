package io.pseries.core.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The byte layout of a snapshot (big-endian throughout):
 *
 * <pre>
 *  header   "PSERSNAP" | u16 format version | u32 section count | u32 CRC32C of the 14 bytes before
 *  section  u16 name length | name (UTF-8) | u16 version | u16 min version | u32 body length | body
 *           | u32 CRC32C of everything of the section before it
 *  body     fields: u16 name length | name | u8 type tag | value (see {@link FieldType})
 * </pre>
 *
 * The first section is always {@code config} (the machine configuration; a host-group
 * checkpoint's host stream starts with {@code host/physical} instead). Nothing may follow
 * the last section. {@link #parse} checks layout and checksums only; what the sections mean is
 * checked by their loaders.
 *
 * <p>Stateless; any thread.
 */
public final class SnapshotStream {
    /** The 8 bytes every snapshot starts with. */
    public static final byte[] MAGIC = "PSERSNAP".getBytes(StandardCharsets.US_ASCII);
    /** The layout version this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 8 + 2 + 4 + 4;

    /**
     * One section as it lies in a stream, body not decoded yet: the body is
     * {@code data[bodyOffset, bodyOffset + bodyLength)} (a parsed section's lies in the stream,
     * not copied out), the whole section {@code [offset, offset + length)} of the stream.
     */
    public record RawSection(String name, int version, int minVersion, byte[] data, int bodyOffset, int bodyLength,
                             int offset, int length) {
        /** A section to encode, of its own body. */
        public RawSection(String name, int version, int minVersion, byte[] body) {
            this(name, version, minVersion, body, 0, body.length, 0, 0);
        }

        /** The body decoded into fields, names matched against {@code schema} (null: none). */
        SectionReader decode(Schema schema) {
            return SectionReader.decode(name, version, data, bodyOffset, bodyOffset + bodyLength, schema);
        }
    }

    private SnapshotStream() {
    }

    static byte[] encode(List<RawSection> sections) {
        byte[][] names = new byte[sections.size()][];
        long size = HEADER_BYTES;
        for (int i = 0; i < names.length; i++) {
            RawSection s = sections.get(i);
            names[i] = s.name().getBytes(StandardCharsets.UTF_8);
            size += 2 + names[i].length + 2 + 2 + 4 + (long) s.bodyLength() + 4;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("a snapshot stream of " + size + " bytes is larger than 2 GiB");
        }
        // sized once and written in place: a large stream is neither grown nor copied at the end
        byte[] out = new byte[(int) size];
        System.arraycopy(MAGIC, 0, out, 0, 8);
        put16(out, 8, FORMAT_VERSION);
        put32(out, 10, sections.size());
        put32(out, 14, crc(out, 0, 14));
        int at = HEADER_BYTES;
        CRC32C crc = new CRC32C();
        for (int i = 0; i < names.length; i++) {
            RawSection s = sections.get(i);
            byte[] n = names[i];
            int start = at;
            put16(out, at, n.length);
            System.arraycopy(n, 0, out, at + 2, n.length);
            at += 2 + n.length;
            put16(out, at, s.version());
            put16(out, at + 2, s.minVersion());
            put32(out, at + 4, s.bodyLength());
            at += 8;
            System.arraycopy(s.data(), s.bodyOffset(), out, at, s.bodyLength());
            at += s.bodyLength();
            crc.reset();
            crc.update(out, start, at - start);
            put32(out, at, (int) crc.getValue());
            at += 4;
        }
        return out;
    }

    /** Splits a stream into its sections, refusing bad magic, format, layout or checksums. */
    public static List<RawSection> parse(byte[] b) {
        return parse(b, ConfigSection.NAME);
    }

    /**
     * As {@link #parse(byte[])}, for a stream whose first section is {@code first} (a host
     * stream's: host/physical); null accepts either kind of stream.
     */
    static List<RawSection> parse(byte[] b, String first) {
        if (b == null) {
            throw new SnapshotException(null, "no bytes given");
        }
        ByteInput in = new ByteInput(b, 0, b.length, "header");
        if (b.length < MAGIC.length || !java.util.Arrays.equals(b, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotException("header", "not a pseries snapshot (the stream does not start with 'PSERSNAP')");
        }
        in.bytes(MAGIC.length, "magic");
        int format = in.u16("format version");
        int count = in.int32("section count");
        int crc = in.int32("header checksum");
        if (crc != crc(b, 0, 14)) {
            throw new SnapshotException("header", "checksum mismatch (the stream is corrupt)");
        }
        if (format > FORMAT_VERSION) {
            throw new SnapshotException("header", "format version " + format + " is newer than this version reads ("
                + FORMAT_VERSION + ")");
        }
        if (format < 1) {
            throw new SnapshotException("header", "format version " + format + " is not valid");
        }
        if (count < 1) {
            throw new SnapshotException("header", "section count " + count + " (at least the config section is needed)");
        }
        List<RawSection> out = new ArrayList<>(Math.min(count, 1 << 16));
        Set<String> names = new HashSet<>(Math.min(count, 1 << 16) * 2);
        CRC32C sum = new CRC32C();
        for (int i = 0; i < count; i++) {
            int start = in.pos();
            // the refusals name the section by its position until its name is read, then by its name
            int nlen = in.at("#", i).u16("section name length");
            String name = in.utf8(nlen, "section name");
            in.at(name);
            int version = in.u16("version");
            int min = in.u16("minimum version");
            int len = in.int32("body length");
            if (len < 0) {
                throw new SnapshotException(name, "negative body length " + len);
            }
            int bodyAt = in.pos();
            if (len > in.remaining()) {
                in.bytes(len, "body");                  // refused: truncated
            }
            in.skip(len);
            int stored = in.int32("checksum");
            sum.reset();
            sum.update(b, start, bodyAt + len - start);
            if (stored != (int) sum.getValue()) {
                throw new SnapshotException(name, "checksum mismatch (the stream is corrupt)");
            }
            if (!names.add(name)) {
                throw new SnapshotException(name, "appears twice in the stream");
            }
            out.add(new RawSection(name, version, min, b, bodyAt, len, start, in.pos() - start));
        }
        if (in.remaining() != 0) {
            throw new SnapshotException(null, in.remaining() + " bytes follow the last section (" + count
                + " announced): the stream is corrupt");
        }
        String at = out.get(0).name();
        if (first == null ? !at.equals(ConfigSection.NAME) && !at.equals(PhysicalHostSection.NAME) : !at.equals(first)) {
            throw new SnapshotException(at, "the first section must be '" + (first == null ? ConfigSection.NAME : first) + "'");
        }
        return out;
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
