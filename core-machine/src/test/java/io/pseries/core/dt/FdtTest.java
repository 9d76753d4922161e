package io.pseries.core.dt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FdtTest {

    /** A small tree with every kind of value and children out of alphabetical order. */
    static DtNode sampleTree() {
        DtNode root = new DtNode("");
        root.setCells("#address-cells", 2);
        root.setCells("#size-cells", 2);
        root.setString("compatible", "qemu,pseries");
        DtNode chosen = root.addChild("chosen");
        chosen.set("ibm,architecture-vec-5", new byte[] {0, 0});
        chosen.setCells("ibm,arch-vec-5-platform-support", 0x178018c0L, 0x19001a40L);
        DtNode vdev = root.addChild("vdevice");
        vdev.setEmpty("interrupt-controller");
        vdev.setCells("#interrupt-cells", 2);
        DtNode vty = vdev.addChild("vty@71000000");
        vty.setCells("reg", 0x71000000L);
        vty.setCells("interrupts", 0x1100, 0);
        vty.setString("compatible", "hvterm1");
        DtNode lan = vdev.addChild("l-lan@71000002");
        lan.set("local-mac-address", new byte[] {0x52, 0x54, 0, 0, 0, 1});
        lan.setCells("reg", 0x71000002L);
        root.addChild("cpus").addChild("PowerPC,POWER9@0").setString("ibm,hypertas-functions", "hcall-pft", "hcall-term");
        root.addChild("aaa-last").setU64s("reg", 0x6030203180000L, 0x10000);
        return root;
    }

    static void assertSameTree(DtNode expected, DtNode actual, String path) {
        assertEquals(new ArrayList<>(expected.props().keySet()), new ArrayList<>(actual.props().keySet()),
            "property names and order at " + path);
        for (Map.Entry<String, byte[]> p : expected.props().entrySet()) {
            assertArrayEquals(p.getValue(), actual.prop(p.getKey()), path + ":" + p.getKey());
        }
        List<String> en = expected.children().stream().map(DtNode::name).toList();
        List<String> an = actual.children().stream().map(DtNode::name).toList();
        assertEquals(en, an, "children and order at " + path);
        for (int i = 0; i < en.size(); i++) {
            assertSameTree(expected.children().get(i), actual.children().get(i), path + en.get(i) + "/");
        }
    }

    private static int header(byte[] blob, int field) {
        return ByteBuffer.wrap(blob).getInt(field * 4);
    }

    @Test
    void writeThenReadRoundTrips() {
        DtNode tree = sampleTree();
        DtNode back = Fdt.read(Fdt.write(tree, 0));
        assertEquals("", back.name());
        assertSameTree(tree, back, "/");
    }

    @Test
    void roundTripKeepsInsertionOrderOfChildrenAndProperties() {
        DtNode back = Fdt.read(Fdt.write(sampleTree(), 0));
        assertEquals(List.of("chosen", "vdevice", "cpus", "aaa-last"), back.children().stream().map(DtNode::name).toList());
        assertEquals(List.of("vty@71000000", "l-lan@71000002"),
            back.child("vdevice").children().stream().map(DtNode::name).toList());
        assertEquals(List.of("reg", "interrupts", "compatible"), new ArrayList<>(back.find("vdevice/vty@71000000").props().keySet()));
    }

    @Test
    void roundTripKeepsValueKinds() {
        DtNode back = Fdt.read(Fdt.write(sampleTree(), 0));
        assertEquals(List.of("hcall-pft", "hcall-term"), back.find("cpus/PowerPC,POWER9@0").strings("ibm,hypertas-functions"));
        assertArrayEquals(new long[] {0x1100, 0}, back.find("vdevice/vty@71000000").cells("interrupts"));
        assertArrayEquals(new long[] {0x60302, 0x3180000, 0, 0x10000}, back.child("aaa-last").cells("reg"));
        assertEquals(0, back.child("vdevice").prop("interrupt-controller").length);
        assertEquals(6, back.find("vdevice/l-lan@71000002").prop("local-mac-address").length);
    }

    @Test
    void theRootNameIsNotWritten() {
        DtNode named = new DtNode("ignored");
        named.setCells("x", 1);
        DtNode back = Fdt.read(Fdt.write(named, 0));
        assertEquals("", back.name());
        assertArrayEquals(new long[] {1}, back.cells("x"));
    }

    @Test
    void emptyTreeRoundTrips() {
        DtNode back = Fdt.read(Fdt.write(new DtNode(""), 0));
        assertTrue(back.props().isEmpty());
        assertTrue(back.children().isEmpty());
    }

    @Test
    void headerHasMagicVersionsAndSizes() {
        byte[] blob = Fdt.write(sampleTree(), 3);
        assertEquals(0xd00dfeed, header(blob, 0), "magic");
        assertEquals(blob.length, header(blob, 1), "totalsize");
        assertEquals(17, header(blob, 5), "version");
        assertEquals(16, header(blob, 6), "last_comp_version");
        assertEquals(3, header(blob, 7), "boot_cpuid_phys");
        int structOff = header(blob, 2);
        int stringsOff = header(blob, 3);
        int rsvOff = header(blob, 4);
        int stringsSize = header(blob, 8);
        int structSize = header(blob, 9);
        assertEquals(40, rsvOff, "the memory reservation map follows the 40-byte header");
        assertEquals(structOff + structSize, stringsOff, "strings follow the structure block");
        assertEquals(blob.length, stringsOff + stringsSize, "nothing after the strings block");
    }

    @Test
    void blockOffsetsAreAligned() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        assertEquals(0, header(blob, 4) % 8, "memory reservation map is 8-byte aligned");
        assertEquals(0, header(blob, 2) % 4, "structure block is 4-byte aligned");
        assertEquals(0, header(blob, 9) % 4, "structure block size is a multiple of 4");
        assertEquals(0, header(blob, 3) % 4, "strings block offset");
    }

    @Test
    void memoryReservationMapIsOnlyTheTerminator() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        int rsv = header(blob, 4);
        assertArrayEquals(new byte[16], Arrays.copyOfRange(blob, rsv, rsv + 16));
        assertEquals(rsv + 16, header(blob, 2));
    }

    @Test
    void structureBlockStartsWithTheRootAndEndsWithFdtEnd() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        ByteBuffer b = ByteBuffer.wrap(blob);
        int structOff = header(blob, 2);
        int structSize = header(blob, 9);
        assertEquals(1, b.getInt(structOff), "FDT_BEGIN_NODE");
        assertEquals(0, b.getInt(structOff + 4), "the root's empty name, padded");
        assertEquals(2, b.getInt(structOff + structSize - 8), "FDT_END_NODE of the root");
        assertEquals(9, b.getInt(structOff + structSize - 4), "FDT_END");
    }

    @Test
    void propertyNamesAreStoredOnce() {
        DtNode root = new DtNode("");
        for (int i = 0; i < 5; i++) {
            DtNode c = root.addChild("n@" + i);
            c.setCells("reg", i);
            c.setString("compatible", "x");
        }
        root.setCells("reg", 9);
        byte[] blob = Fdt.write(root, 0);
        int stringsOff = header(blob, 3);
        int stringsSize = header(blob, 8);
        String strings = new String(blob, stringsOff, stringsSize, StandardCharsets.US_ASCII);
        assertEquals("reg\0compatible\0", strings);
    }

    @Test
    void valuesArePaddedToFourBytes() {
        DtNode root = new DtNode("");
        root.set("odd", new byte[] {1, 2, 3, 4, 5});
        root.setCells("after", 0xabcdef01L);
        byte[] blob = Fdt.write(root, 0);
        ByteBuffer b = ByteBuffer.wrap(blob);
        int p = header(blob, 2) + 8; // BEGIN_NODE + empty name
        assertEquals(3, b.getInt(p), "FDT_PROP");
        assertEquals(5, b.getInt(p + 4), "len");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 0, 0, 0}, Arrays.copyOfRange(blob, p + 12, p + 20));
        assertEquals(3, b.getInt(p + 20), "next FDT_PROP on a 4-byte boundary");
        assertEquals(0xabcdef01, b.getInt(p + 32));
    }

    @Test
    void readSkipsNopTokens() {
        DtNode root = new DtNode("");
        root.setCells("a", 1);
        root.addChild("c").setCells("b", 2);
        byte[] blob = Fdt.write(root, 0);
        // overwrite the property "a" (PROP, len, nameoff, value = 4 words) with FDT_NOPs
        int p = header(blob, 2) + 8;
        ByteBuffer b = ByteBuffer.wrap(blob);
        for (int i = 0; i < 4; i++) {
            b.putInt(p + 4 * i, 4);
        }
        DtNode back = Fdt.read(blob);
        assertNull(back.prop("a"));
        assertArrayEquals(new long[] {2}, back.child("c").cells("b"));
    }

    @Test
    void badMagicIsRejected() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        blob[0] = 0x12;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertEquals("bad FDT magic 0x120dfeed", e.getMessage());
    }

    @Test
    void littleEndianMagicIsRejected() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        ByteBuffer.wrap(blob).putInt(0, Integer.reverseBytes(Fdt.MAGIC));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertTrue(e.getMessage().contains("magic 0xedfe0dd0"), e.getMessage());
    }

    @Test
    void blobShorterThanTheHeaderIsRejected() {
        byte[] blob = Arrays.copyOf(Fdt.write(sampleTree(), 0), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertEquals("FDT blob too short: 10 bytes", e.getMessage());
    }

    @Test
    void truncatedBlobIsRejectedNamingTheSizes() {
        byte[] full = Fdt.write(sampleTree(), 0);
        byte[] cut = Arrays.copyOf(full, full.length - 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(cut));
        assertEquals("truncated FDT: the header says " + full.length + " bytes, the blob has " + cut.length, e.getMessage());
    }

    @Test
    void tooOldVersionIsRejected() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        ByteBuffer.wrap(blob).putInt(20, 15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertTrue(e.getMessage().contains("version 15"), e.getMessage());
    }

    @Test
    void unknownTokenIsRejectedWithItsOffset() {
        DtNode root = new DtNode("");
        root.setCells("a", 1);
        byte[] blob = Fdt.write(root, 0);
        int p = header(blob, 2) + 8;
        ByteBuffer.wrap(blob).putInt(p, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertEquals("bad FDT token 7 at offset " + p, e.getMessage());
    }

    @Test
    void structureNotStartingWithANodeIsRejected() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        ByteBuffer.wrap(blob).putInt(header(blob, 2), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertEquals("FDT structure does not start with a node", e.getMessage());
    }

    @Test
    void truncatedStructureBlockWithConsistentHeaderIsRejectedClearly() {
        byte[] full = Fdt.write(sampleTree(), 0);
        int cutAt = header(full, 2) + 24; // inside the root's first property value
        byte[] cut = Arrays.copyOf(full, cutAt);
        ByteBuffer b = ByteBuffer.wrap(cut);
        b.putInt(4, cutAt);     // totalsize
        b.putInt(12, cutAt);    // off_dt_strings
        b.putInt(32, 0);        // size_dt_strings
        b.putInt(36, cutAt - header(full, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(cut));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void structureOffsetOutsideTheBlobIsRejectedClearly() {
        byte[] blob = Fdt.write(sampleTree(), 0);
        ByteBuffer.wrap(blob).putInt(8, blob.length + 64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void aNegativePropertyLengthIsRejectedClearly() {
        // found by the fuzzer: a length with the top bit set used to reach new byte[len]
        byte[] blob = Fdt.write(sampleTree(), 0);
        int firstPropLen = header(blob, 2) + 12; // FDT_BEGIN_NODE, the root's empty name, FDT_PROP, then len
        ByteBuffer.wrap(blob).putInt(firstPropLen, 0xB8000004);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(blob));
        assertEquals("bad FDT property length 3087007748 at offset " + firstPropLen + ": it runs past the end of the blob",
            e.getMessage());
    }

    @Test
    void nodesNestedPastTheDepthLimitAreRejectedInsteadOfOverflowingTheStack() {
        DtNode root = new DtNode("");
        DtNode n = root;
        for (int i = 0; i < Fdt.MAX_DEPTH; i++) {
            n = n.addChild("n" + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fdt.read(Fdt.write(root, 0)));
        assertTrue(e.getMessage().startsWith("FDT nodes nested deeper than " + Fdt.MAX_DEPTH), e.getMessage());
        DtNode ok = new DtNode("");
        DtNode m = ok;
        for (int i = 0; i < Fdt.MAX_DEPTH - 1; i++) {
            m = m.addChild("n" + i);
        }
        DtNode back = Fdt.read(Fdt.write(ok, 0));
        for (int i = 0; i < Fdt.MAX_DEPTH - 1; i++) {
            back = back.child("n" + i);
            assertTrue(back != null, "level " + i + " lost");
        }
    }

    /**
     * A node with many children (/cpus of a large machine) keeps them in insertion order, finds
     * each by its exact name, answers null for a name it lacks, and refuses a second child of a
     * name it has, before and after it has enough children to index them.
     */
    @Test
    void manyChildren_keepOrder_findEachByName_refuseDuplicates() {
        DtNode cpus = new DtNode("cpus");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String n = "PowerPC,POWER9@" + Integer.toHexString(i * 8);
            names.add(n);
            cpus.addChild(n).setCells("reg", i * 8);
            assertThrows(IllegalArgumentException.class, () -> cpus.addChild(n), "duplicate " + n);
        }
        assertEquals(names, cpus.children().stream().map(DtNode::name).toList());
        for (int i = 0; i < 100; i++) {
            assertEquals(names.get(i), cpus.child(names.get(i)).name());
        }
        assertNull(cpus.child("PowerPC,POWER9@1"));
        assertNull(cpus.child("PowerPC,POWER9"));
        assertEquals(List.of(42 * 8), List.of(ByteBuffer.wrap(cpus.find(names.get(42)).props().get("reg")).getInt()));
    }
}
