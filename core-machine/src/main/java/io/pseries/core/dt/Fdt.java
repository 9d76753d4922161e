package io.pseries.core.dt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flattened device tree format (devicetree specification, "FDT", version 17): writes a
 * {@link DtNode} tree as a blob and reads a blob back into nodes.
 *
 * <p>Layout written: a 40-byte header, an empty memory-reservation map, the structure block
 * (BEGIN_NODE / PROP / END_NODE tokens, 4-byte aligned) and the strings block (each property
 * name stored once).
 */
public final class Fdt {
    public static final int MAGIC = 0xd00dfeed;
    public static final int VERSION = 17;
    public static final int LAST_COMPATIBLE_VERSION = 16;
    private static final int FDT_BEGIN_NODE = 1;
    private static final int FDT_END_NODE = 2;
    private static final int FDT_PROP = 3;
    private static final int FDT_NOP = 4;
    private static final int FDT_END = 9;
    private static final int HEADER_SIZE = 40;

    private Fdt() {
    }

    /** Serializes the tree rooted at {@code root} (whose own name is ignored: the root is unnamed). */
    public static byte[] write(DtNode root, int bootCpuId) {
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        Map<String, Integer> stringOffsets = new LinkedHashMap<>();
        writeNode(root, true, struct, strings, stringOffsets);
        putInt(struct, FDT_END);

        int rsvmapOff = HEADER_SIZE;
        int rsvmapSize = 16; // the terminating (0, 0) entry
        int structOff = rsvmapOff + rsvmapSize;
        int stringsOff = structOff + struct.size();
        int total = stringsOff + strings.size();
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(MAGIC).putInt(total).putInt(structOff).putInt(stringsOff).putInt(rsvmapOff)
         .putInt(VERSION).putInt(LAST_COMPATIBLE_VERSION).putInt(bootCpuId)
         .putInt(strings.size()).putInt(struct.size());
        b.putLong(0).putLong(0);
        b.put(struct.toByteArray());
        b.put(strings.toByteArray());
        return b.array();
    }

    private static void writeNode(DtNode n, boolean isRoot, ByteArrayOutputStream out,
                                  ByteArrayOutputStream strings, Map<String, Integer> offs) {
        putInt(out, FDT_BEGIN_NODE);
        byte[] name = isRoot ? new byte[0] : n.name().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(name);
        out.write(0);
        pad(out);
        for (Map.Entry<String, byte[]> p : n.props().entrySet()) {
            Integer off = offs.get(p.getKey());
            if (off == null) {
                off = strings.size();
                strings.writeBytes(p.getKey().getBytes(StandardCharsets.UTF_8));
                strings.write(0);
                offs.put(p.getKey(), off);
            }
            putInt(out, FDT_PROP);
            putInt(out, p.getValue().length);
            putInt(out, off);
            out.writeBytes(p.getValue());
            pad(out);
        }
        for (DtNode c : n.children()) {
            writeNode(c, false, out, strings, offs);
        }
        putInt(out, FDT_END_NODE);
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }

    /** Parses a blob; throws {@link IllegalArgumentException} naming what is wrong with it. */
    public static DtNode read(byte[] blob) {
        if (blob.length < HEADER_SIZE) {
            throw new IllegalArgumentException("FDT blob too short: " + blob.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(blob);
        if (b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException(String.format("bad FDT magic 0x%08x", b.getInt(0)));
        }
        int total = b.getInt(4);
        int structOff = b.getInt(8);
        int stringsOff = b.getInt(12);
        int version = b.getInt(20);
        if (total > blob.length) {
            throw new IllegalArgumentException("truncated FDT: the header says " + total + " bytes, the blob has " + blob.length);
        }
        if (version < LAST_COMPATIBLE_VERSION) {
            throw new IllegalArgumentException("unsupported FDT version " + version + " (need " + LAST_COMPATIBLE_VERSION + " or later)");
        }
        if (structOff < HEADER_SIZE || structOff >= total || (structOff & 3) != 0 || stringsOff < 0 || stringsOff > total) {
            throw new IllegalArgumentException("bad FDT header: structure block at " + structOff + ", strings at "
                + stringsOff + ", totalsize " + total);
        }
        try {
            return readStructure(b, blob, structOff, stringsOff);
        } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated or corrupt FDT structure block (a token, name or property runs"
                + " past the end of the blob)", e);
        }
    }

    private static DtNode readStructure(ByteBuffer b, byte[] blob, int structOff, int stringsOff) {
        int[] pos = {structOff};
        int tok = b.getInt(pos[0]);
        while (tok == FDT_NOP) {
            pos[0] += 4;
            tok = b.getInt(pos[0]);
        }
        if (tok != FDT_BEGIN_NODE) {
            throw new IllegalArgumentException("FDT structure does not start with a node");
        }
        pos[0] += 4;
        readCString(blob, pos);
        DtNode root = new DtNode("");
        readBody(b, blob, pos, stringsOff, root, 1);
        return root;
    }

    /** Nesting deeper than this is a corrupt blob (real trees are a few levels deep); it must not overflow the stack. */
    static final int MAX_DEPTH = 64;

    private static void readBody(ByteBuffer b, byte[] blob, int[] pos, int stringsOff, DtNode node, int depth) {
        while (true) {
            int tok = b.getInt(pos[0]);
            pos[0] += 4;
            switch (tok) {
                case FDT_PROP -> {
                    int len = b.getInt(pos[0]);
                    int nameOff = b.getInt(pos[0] + 4);
                    pos[0] += 8;
                    if (len < 0 || len > blob.length - pos[0]) {
                        throw new IllegalArgumentException("bad FDT property length " + Integer.toUnsignedString(len)
                            + " at offset " + (pos[0] - 8) + ": it runs past the end of the blob");
                    }
                    byte[] v = new byte[len];
                    System.arraycopy(blob, pos[0], v, 0, len);
                    pos[0] = align4(pos[0] + len);
                    int[] np = {stringsOff + nameOff};
                    node.set(readCString(blob, np), v);
                }
                case FDT_BEGIN_NODE -> {
                    if (depth >= MAX_DEPTH) {
                        throw new IllegalArgumentException("FDT nodes nested deeper than " + MAX_DEPTH + " at offset " + (pos[0] - 4));
                    }
                    String name = readCString(blob, pos);
                    readBody(b, blob, pos, stringsOff, node.addChild(name), depth + 1);
                }
                case FDT_END_NODE -> {
                    return;
                }
                case FDT_NOP -> {
                }
                default -> throw new IllegalArgumentException("bad FDT token " + tok + " at offset " + (pos[0] - 4));
            }
        }
    }

    private static String readCString(byte[] blob, int[] pos) {
        int start = pos[0];
        int i = start;
        while (blob[i] != 0) {
            i++;
        }
        String s = new String(blob, start, i - start, StandardCharsets.UTF_8);
        pos[0] = align4(i + 1);
        return s;
    }

    private static int align4(int v) {
        return (v + 3) & ~3;
    }
}
