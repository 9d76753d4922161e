package io.pseries.core.cas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.pseries.core.reference.QemuDts;

class OptionVectorTest {

    /**
     * QEMU 7.2's {@code /chosen/ibm,architecture-vec-5} after a Linux 6.1 guest negotiated XIVE
     * (shared/reference/qemu-dt/dual_smp4_after_cas_xive.dts).
     */
    static final byte[] QEMU_AFTER_CAS_XIVE = hex(
        "19 00 20 00 00 a0 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 80 40 40 00 40");
    /** The same after the guest negotiated XICS (dual_smp4_after_cas_xics.dts). */
    static final byte[] QEMU_AFTER_CAS_XICS = hex(
        "19 00 20 00 00 a0 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 80 00 40 00 40");

    static byte[] hex(String s) {
        String[] parts = s.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    @Test
    void ovBitNumbersBytesFromOneAndBitsFromTheMsb() {
        assertEquals(0, OptionVector.bit(1, 0));
        assertEquals(7, OptionVector.bit(1, 7));
        assertEquals(8, OptionVector.bit(2, 0));
        assertEquals(176, OptionVector.bit(23, 0));
        assertEquals(177, OptionVector.bit(23, 1));
        assertEquals(OptionVector.bit(23, 0), OptionVector.OV5_XIVE_BOTH);
        assertEquals(OptionVector.bit(23, 1), OptionVector.OV5_XIVE_EXPLOIT);
        assertEquals(OptionVector.bit(24, 1), OptionVector.OV5_MMU_RADIX_300);
    }

    @Test
    void byte23Bit1IsTheValue0x40InOptionByte23() {
        OptionVector v = new OptionVector();
        v.set(OptionVector.OV5_XIVE_EXPLOIT);
        assertEquals(0x40, v.getByte(23));
        assertEquals(0, v.getByte(22));
        assertEquals(0, v.getByte(24));
        byte[] expected = new byte[24];
        expected[0] = 22; // 23 option bytes
        expected[23] = 0x40;
        assertArrayEquals(expected, v.encode());
    }

    @Test
    void byte23Bit0IsTheValue0x80() {
        OptionVector v = new OptionVector();
        v.set(OptionVector.OV5_XIVE_BOTH);
        assertEquals(0x80, v.getByte(23));
        v.set(OptionVector.OV5_MMU_RADIX_300);
        assertEquals(0x40, v.getByte(24));
    }

    @Test
    void testSetAndClearAgreeWithTheBytes() {
        OptionVector v = OptionVector.ofBytes(23, 0x40, 5, 0x81);
        assertTrue(v.test(OptionVector.OV5_XIVE_EXPLOIT));
        assertFalse(v.test(OptionVector.OV5_XIVE_BOTH));
        assertTrue(v.test(OptionVector.bit(5, 0)));
        assertTrue(v.test(OptionVector.bit(5, 7)));
        assertFalse(v.test(OptionVector.bit(5, 1)));
        v.clear(OptionVector.OV5_XIVE_EXPLOIT);
        assertEquals(0, v.getByte(23));
        v.clear(OptionVector.bit(5, 7));
        assertEquals(0x80, v.getByte(5));
    }

    @Test
    void emptyVectorEncodesAsTwoZeroBytes() {
        // as QEMU's spapr_dt_ovec, and the pre-CAS ibm,architecture-vec-5 = [00 00]
        assertArrayEquals(new byte[] {0, 0}, new OptionVector().encode());
        assertTrue(new OptionVector().isEmpty());
    }

    @Test
    void encodeStopsAtTheLastNonZeroByte() {
        assertArrayEquals(hex("00 07"), OptionVector.ofBytes(1, 7).encode());
        assertArrayEquals(hex("02 00 00 09"), OptionVector.ofBytes(3, 9).encode());
        assertArrayEquals(hex("02 01 00 09"), OptionVector.ofBytes(1, 1, 3, 9, 4, 0).encode());
    }

    @Test
    void encodesQemusPostCasVectorByteForByte() {
        OptionVector v = OptionVector.ofBytes(2, 0x20, 5, 0xa0, 6, 0x05, 22, 0x80, 23, 0x40, 24, 0x40, 26, 0x40);
        assertArrayEquals(QEMU_AFTER_CAS_XIVE, v.encode());
        v.clear(OptionVector.OV5_XIVE_EXPLOIT);
        assertArrayEquals(QEMU_AFTER_CAS_XICS, v.encode());
    }

    @Test
    void decodesQemusPostCasVector() {
        OptionVector v = OptionVector.decode(QEMU_AFTER_CAS_XIVE);
        assertEquals(0x20, v.getByte(2));
        assertEquals(0xa0, v.getByte(5));
        assertEquals(0x05, v.getByte(6));
        assertEquals(0x80, v.getByte(22));
        assertEquals(0x40, v.getByte(23));
        assertEquals(0x40, v.getByte(24));
        assertEquals(0x00, v.getByte(25));
        assertEquals(0x40, v.getByte(26));
        assertEquals(0x00, v.getByte(27));
        assertTrue(v.test(OptionVector.OV5_XIVE_EXPLOIT));
        assertEquals("[[2]=20 [5]=a0 [6]=05 [22]=80 [23]=40 [24]=40 [26]=40]", v.toString());
        assertArrayEquals(QEMU_AFTER_CAS_XIVE, v.encode());
    }

    @Test
    void theEmbeddedQemuVectorsMatchTheReferenceTrees() throws IOException {
        assertArrayEquals(QEMU_AFTER_CAS_XIVE, chosenVec5(QemuDts.file("dual_smp4_after_cas_xive.dts")));
        assertArrayEquals(QEMU_AFTER_CAS_XICS, chosenVec5(QemuDts.file("dual_smp4_after_cas_xics.dts")));
        assertArrayEquals(new byte[] {0, 0}, chosenVec5(QemuDts.file("dual_smp4.dts")));
    }

    static byte[] chosenVec5(Path dts) throws IOException {
        Matcher m = Pattern.compile("ibm,architecture-vec-5 = \\[([0-9a-f ]+)\\];").matcher(Files.readString(dts));
        assertTrue(m.find(), "no ibm,architecture-vec-5 in " + dts);
        return hex(m.group(1));
    }

    @Test
    void decodeIgnoresBytesPastTheLength() {
        OptionVector v = OptionVector.decode(hex("01 11 22 33 44"));
        assertEquals(0x11, v.getByte(1));
        assertEquals(0x22, v.getByte(2));
        assertEquals(0, v.getByte(3));
        assertArrayEquals(hex("01 11 22"), v.encode());
    }

    @Test
    void decodeOfTheEmptyEncodingIsEmpty() {
        assertTrue(OptionVector.decode(new byte[] {0, 0}).isEmpty());
        assertEquals(new OptionVector(), OptionVector.decode(new byte[] {0, 0}));
    }

    @Test
    void decodeRejectsAMissingLengthByte() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OptionVector.decode(new byte[0]));
        assertEquals("an option vector needs at least its length byte", e.getMessage());
    }

    @Test
    void decodeRejectsAVectorShorterThanItsLengthByteSays() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> OptionVector.decode(hex("05 01 02")));
        assertEquals("option vector length byte says 6 option bytes, but only 2 follow", e.getMessage());
    }

    @Test
    void maximalVectorRoundTrips() {
        OptionVector v = OptionVector.ofBytes(1, 0x01, OptionVector.MAX_BYTES, 0xff);
        byte[] enc = v.encode();
        assertEquals(OptionVector.MAX_BYTES + 1, enc.length);
        assertEquals((byte) 0xff, enc[0]);
        assertEquals(v, OptionVector.decode(enc));
    }

    @Test
    void setByteRejectsIndicesOutsideTheVector() {
        OptionVector v = new OptionVector();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.setByte(0, 1));
        assertEquals("option byte index must be 1..256, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> v.setByte(257, 1));
    }

    @Test
    void intersectKeepsTheBitsSetInBoth() {
        // QEMU: ov5_cas = spapr->ov5 ∩ guest ov5 (xive-facts 9.5 step 6)
        OptionVector machine = OptionVector.ofBytes(2, 0x20, 5, 0xa0, 6, 0x05, 22, 0x80, 23, 0x40, 24, 0x40, 26, 0x40);
        OptionVector guest = GuestOv5.linuxVector(0x40);
        OptionVector both = machine.intersect(guest);
        assertArrayEquals(QEMU_AFTER_CAS_XIVE, both.encode());
        assertEquals(both, guest.intersect(machine), "intersection is symmetric");
        assertEquals(0x20, both.getByte(2), "0x20 & 0xf3");
        assertEquals(0, both.getByte(11), "guest-only byte dropped");
        assertEquals(0, both.getByte(17));
        assertEquals(0, both.getByte(21));
    }

    @Test
    void intersectLeavesItsOperandsAlone() {
        OptionVector a = OptionVector.ofBytes(23, 0x40);
        OptionVector b = OptionVector.ofBytes(23, 0x80);
        OptionVector c = a.intersect(b);
        assertTrue(c.isEmpty());
        assertEquals(0x40, a.getByte(23));
        assertEquals(0x80, b.getByte(23));
    }

    @Test
    void intersectWithTheEmptyVectorIsEmpty() {
        assertTrue(GuestOv5.linuxVector(0x40).intersect(new OptionVector()).isEmpty());
    }

    @Test
    void copyIsIndependent() {
        OptionVector a = OptionVector.ofBytes(23, 0x40);
        OptionVector b = a.copy();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        b.clear(OptionVector.OV5_XIVE_EXPLOIT);
        assertNotEquals(a, b);
        assertEquals(0x40, a.getByte(23));
    }

    @Test
    void linuxVectorIsWhatLinux61Sent() {
        // qemu-observed.md: [2]=f3 [5]=e0 [6]=05 [11]=08 [17]=e0 [21]=01 [22]=c0 [23]=40 [24]=40 [26]=40
        assertEquals("[[2]=f3 [5]=e0 [6]=05 [11]=08 [17]=e0 [21]=01 [22]=c0 [23]=40 [24]=40 [26]=40]",
            GuestOv5.linuxVector(0x40).toString());
        assertEquals(0, GuestOv5.linuxVector(0x00).getByte(23));
    }
}
