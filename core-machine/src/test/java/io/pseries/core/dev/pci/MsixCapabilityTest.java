package io.pseries.core.dev.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.trace.Trace;

/** The MSI-X capability's rules (PCI 3.0 §6.8.2) and QEMU's MSI-X core masking, one test each. */
class MsixCapabilityTest {
    private final List<String> calls = new ArrayList<>();
    private final MsixCapability x = new MsixCapability(0x70, 8, 4, 0, 0x2000);

    MsixCapabilityTest() {
        x.setSink((v, a, d) -> calls.add("send " + v + " 0x" + Long.toHexString(a) + " " + d));
    }

    private void notifier() {
        x.setNotifier(new MsixCapability.VectorNotifier() {
            @Override
            public void use(int v, long address, int data) {
                calls.add("use " + v + " " + data);
            }

            @Override
            public void release(int v) {
                calls.add("release " + v);
            }
        });
    }

    private int config(int off, int size) {
        int v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = (v << 8) | x.configByte(off + i, 0);
        }
        return v;
    }

    @Test
    void theCapabilityNamesItsTableSizeMinusOneAndWhereTableAndPbaAre() {
        assertEquals(0x11, config(0x70, 1));
        assertEquals(7, config(0x72, 2));
        assertEquals(0x0000_0004, config(0x74, 4));
        assertEquals(0x0000_2004, config(0x78, 4));
    }

    @Test
    void onlyEnableAndFunctionMaskAreWritableInMessageControl() {
        x.writeControl(0xffff);
        assertEquals(0xc007, config(0x72, 2));
        x.writeControl(0x0000);
        assertEquals(0x0007, config(0x72, 2));
    }

    @Test
    void afterResetEveryVectorIsMaskedWithNoMessageAndNothingPending() {
        x.setMessage(3, 0x1234, 5);
        x.write32(16 * 3 + 12, 0);
        x.reset();
        for (int v = 0; v < 8; v++) {
            assertTrue(x.vectorMasked(v));
            assertEquals(0, x.address(v));
            assertEquals(0, x.data(v));
            assertFalse(x.pending(v));
        }
        assertFalse(x.enabled());
    }

    @Test
    void aVectorIsMaskedWhileTheFunctionIsDisabledOrFunctionMaskedWhateverItsOwnBit() {
        x.write32(12, 0);
        assertTrue(x.masked(0), "disabled");
        x.writeControl(MsixCapability.CONTROL_ENABLE | MsixCapability.CONTROL_MASKALL);
        assertTrue(x.masked(0), "function mask");
        x.writeControl(MsixCapability.CONTROL_ENABLE);
        assertFalse(x.masked(0));
        assertTrue(x.masked(1), "its own mask bit");
    }

    @Test
    void unmaskingAVectorUsesItWithItsMessageAndMaskingReleasesIt() {
        x.writeControl(MsixCapability.CONTROL_ENABLE);
        notifier();
        x.setMessage(2, SpaprPhb.MSI_WINDOW, 0x1302);
        x.write32(16 * 2 + 12, 0);
        x.write32(16 * 2 + 12, 1);
        assertEquals(List.of("use 2 4866", "release 2"), calls);
    }

    @Test
    void writingTheMessageOfAnUnmaskedVectorNotifiesNothing() {
        x.writeControl(MsixCapability.CONTROL_ENABLE);
        x.write32(12, 0);
        notifier();
        calls.clear();
        x.write32(8, 99);
        assertEquals(List.of(), calls);
    }

    @Test
    void theFunctionMaskUpdatesOnlyTheVectorsWhoseOwnBitIsClear() {
        x.writeControl(MsixCapability.CONTROL_ENABLE);
        x.write32(16 * 1 + 12, 0);
        x.write32(16 * 5 + 12, 0);
        notifier();
        assertEquals(List.of("use 1 0", "use 5 0"), calls, "installing the notifier uses every unmasked vector");
        calls.clear();
        x.writeControl(MsixCapability.CONTROL_ENABLE | MsixCapability.CONTROL_MASKALL);
        assertEquals(List.of("release 1", "release 5"), calls);
        calls.clear();
        x.writeControl(MsixCapability.CONTROL_ENABLE | MsixCapability.CONTROL_MASKALL);
        assertEquals(List.of(), calls, "no change, no notification");
    }

    @Test
    void aMaskedVectorLatchesItsPendingBitAndItsUnmaskSendsTheMessageOnce() {
        x.writeControl(MsixCapability.CONTROL_ENABLE);
        x.setMessage(0, SpaprPhb.MSI_WINDOW, 0x1300);
        x.notify(0);
        x.notify(0);
        assertTrue(x.pending(0));
        assertEquals(1, x.read32(0x2000), "the PBA shows it");
        assertEquals(List.of(), calls);
        x.write32(12, 0);
        assertFalse(x.pending(0));
        assertEquals(List.of("send 0 0x40000000000 4864"), calls);
        x.notify(0);
        assertEquals(2, calls.size(), "unmasked: sent at once");
    }

    @Test
    void aDisabledFunctionSendsNothingAndLatchesNothing() {
        x.write32(12, 0);
        x.notify(0);
        assertFalse(x.pending(0));
        assertEquals(List.of(), calls);
    }

    @Test
    void thePbaIgnoresWrites() {
        x.writeControl(MsixCapability.CONTROL_ENABLE);
        x.notify(3);
        x.write32(0x2000, 0);
        assertEquals(1 << 3, x.read32(0x2000));
    }

    @Test
    void theTableTakesBigEndianCpuValuesAsLittleEndianAndSplitsEightByteAccesses() {
        MsixTableRegion r = new MsixTableRegion(x, new Trace(() -> 0), "test");
        r.write(null, 0, 8, 0x0000_0004_0000_0000L);
        // bytes 00 00 00 04 00 00 00 00: address low = 0x04000000 read little-endian
        assertEquals(0x0400_0000L, x.address(0));
        r.write(null, 8, 4, 0x0013_0000L);
        assertEquals(0x1300, x.data(0));
        assertEquals(0x0013_0000L, r.read(null, 8, 4));
    }

    @Test
    void otherSizesAndUnalignedAccessesAreTheGuestsErrorAndChangeNothing() {
        Trace t = new Trace(() -> 0);
        MsixTableRegion r = new MsixTableRegion(x, t, "test");
        r.write(null, 12, 1, 0);
        r.write(null, 10, 4, 0);
        assertTrue(x.vectorMasked(0));
        assertEquals(0xffL, r.read(null, 12, 1));
        assertEquals(3, t.guestErrorCount());
    }
}
