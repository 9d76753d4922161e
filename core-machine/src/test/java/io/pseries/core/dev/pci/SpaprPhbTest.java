package io.pseries.core.dev.pci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig.DeviceConfig;
import io.pseries.core.MachineConfig;
import io.pseries.core.dt.DtNode;
import io.pseries.core.reference.QemuDts;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.trace.TraceCategory;
import io.pseries.core.trace.TraceEvent;

/**
 * The sPAPR PCI host bridge against QEMU 7.2: its LSIs and interrupt-map
 * (shared/reference/qemu-dt/xics_smp4.dts), INTx swizzling, the MSI RTAS calls
 * ({@code ibm,change-msi}, {@code ibm,query-interrupt-source-number}; qemu-observed "PCI MSI
 * set-up"), the MSI allocator (xive-facts.md 8.5-8.6), machine reset, the MSI window,
 * configuration-space and EEH RTAS calls, and the device-tree nodes of the observed
 * configuration. Interrupt controllers are {@link FakeIntc}s (core has no controller plugin).
 */
class SpaprPhbTest {

    /** BUID 0x800000020000000 as the two RTAS argument words. */
    static final int HI = 0x8000000;
    static final int LO = 0x20000000;
    static final String PHB = "pci@800000020000000";
    static final String REF_PHB = "/" + PHB;

    /** Configuration addresses in the observed configuration. */
    static final int NET = 0x0;          // 00:00.0 virtio-net-pci
    static final int BRIDGE = 0x800;     // 00:01.0 pci-bridge br0
    static final int BLK = 0x11800;      // 01:03.0 virtio-blk-pci behind br0

    /** QEMU's observed configuration (qemu-observed.md, qemu-dt/*_smp4.dts). */
    static MachineConfig observedConfig(String icMode) {
        return MachineConfig.builder().cpus(4).icMode(icMode).devices(List.of(
            DeviceConfig.of("spapr-vty"), DeviceConfig.of("spapr-vlan"),
            DeviceConfig.of("virtio-net-pci"),
            new DeviceConfig("pci-bridge", Map.of("id", "br0")),
            new DeviceConfig("virtio-blk-pci", Map.of("bus", "br0", "addr", 3L, "vectors", 0L)))).build();
    }

    static Machine observed() {
        return FakeIntc.machine(observedConfig("dual"));
    }

    static Machine withDevices(DeviceConfig... devices) {
        return FakeIntc.machine(MachineConfig.builder().cpus(1).icMode("dual").devices(List.of(devices)).build());
    }

    static DeviceConfig dev(String type, Object... kv) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            o.put((String) kv[i], kv[i + 1]);
        }
        return new DeviceConfig(type, o);
    }

    static List<TraceEvent> guestErrors(Machine m) {
        List<TraceEvent> l = new ArrayList<>();
        m.on(TraceCategory.GUEST_ERROR, l::add);
        return l;
    }

    static String messages(List<TraceEvent> l) {
        return l.stream().map(e -> String.valueOf(e.fields().get("message"))).toList().toString();
    }

    static RtasResult changeMsi(Machine m, int cfg, int func, int num, int seq) {
        return m.rtas(0, "ibm,change-msi", new int[] {cfg, HI, LO, func, num, seq}, 4);
    }

    static RtasResult query(Machine m, int cfg, int k) {
        return m.rtas(0, "ibm,query-interrupt-source-number", new int[] {cfg, HI, LO, k}, 3);
    }

    static void assertRtas(int status, int[] rets, RtasResult r) {
        assertEquals(status, r.status(), "status (rets " + Arrays.toString(r.rets()) + ")");
        if (rets != null) {
            assertArrayEquals(rets, r.rets(), "rets " + Arrays.toString(r.rets()));
        }
    }

    /** Claimed MSI-range numbers in a fake controller. */
    static List<Integer> msiClaims(FakeIntc c) {
        return c.claims.keySet().stream().filter(i -> i >= 0x1300).sorted().toList();
    }

    /** A PCI function with an MSI capability of {@code vectors} vectors (none of the configurable devices has more than 1). */
    static final class MsiTestDevice extends PciDevice {
        private final int vectors;

        MsiTestDevice(String id, int vectors) {
            super("test-msi-pci", id, 0x1234, 0x5678, 0xff0000, 0, 0, 1);
            this.vectors = vectors;
        }

        @Override
        public int msiVectors() {
            return vectors;
        }

        @Override
        public int msixEntries() {
            return 0;
        }

        @Override
        protected String nodeName() {
            return "test";
        }

        @Override
        protected void writeProperties(DtNode n) {
        }
    }

    // ================================================================== LSIs and the PHB node

    @Nested
    class LsisAndPhbNode {
        private final Machine m = FakeIntc.machine(observedConfig("xics"));
        private final DtNode phb = m.deviceTree().child(PHB);
        private final QemuDts qemu = QemuDts.load("xics_smp4.dts");

        @Test
        void lsis0x1200To0x1203AreClaimedLevelTriggeredInEveryController() {
            Machine dual = observed();
            for (String ic : List.of("xics", "xive")) {
                Map<Integer, Boolean> claims = FakeIntc.of(dual, ic).claims;
                for (int irq = 0x1200; irq <= 0x1203; irq++) {
                    assertEquals(Boolean.TRUE, claims.get(irq), ic + String.format(" claim of 0x%x", irq));
                }
                assertFalse(claims.containsKey(0x1204), ic + ": one PHB claims four LSIs only");
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(0x1200 + i, dual.phb().lsi(i));
                assertTrue(dual.irq(0x1200 + i).lsi());
                assertTrue(dual.irqSpace().isLsi(0x1200 + i));
            }
        }

        @Test
        void interruptMapMatchesQemuCellByCell() {
            long[] ours = phb.cells("interrupt-map");
            long[] ref = qemu.cells(REF_PHB, "interrupt-map");
            assertNotNull(ours, "interrupt-map missing");
            assertEquals(32 * 4 * 7, ref.length, "reference map size");
            List<String> diffs = new ArrayList<>();
            for (int i = 0; i < Math.max(ours.length, ref.length); i++) {
                long o = i < ours.length ? ours[i] : -1;
                long q = i < ref.length ? ref[i] : -1;
                if (o != q) {
                    diffs.add(String.format("cell %d (slot %d pin %d word %d): QEMU 0x%x ours 0x%x", i, i / 28,
                        (i / 7) % 4 + 1, i % 7, q, o));
                }
            }
            assertTrue(diffs.isEmpty(), diffs.size() + " cells differ: " + diffs.subList(0, Math.min(8, diffs.size())));
        }

        @Test
        void interruptMapRoutesSlotAndPinToLsiPinMinusOnePlusSlotMod4() {
            long[] map = phb.cells("interrupt-map");
            assertEquals(32 * 4 * 7, map.length);
            for (int slot = 0; slot < 32; slot++) {
                for (int pin = 1; pin <= 4; pin++) {
                    int o = (slot * 4 + pin - 1) * 7;
                    String where = "slot " + slot + " pin " + pin;
                    assertArrayEquals(new long[] {(long) slot << 11, 0, 0, pin},
                        Arrays.copyOfRange(map, o, o + 4), where + " child unit address + pin");
                    assertEquals(0x1111, map[o + 4], where + " phandle");
                    assertEquals(0x1200 + (pin - 1 + slot) % 4, map[o + 5], where + " LSI");
                    assertEquals(1, map[o + 6], where + " level");
                }
            }
        }

        @Test
        void interruptMapMaskInterruptCellsAndMsiTotalAreQemus() {
            assertArrayEquals(new long[] {0xf800, 0, 0, 0xffffffffL}, phb.cells("interrupt-map-mask"));
            assertArrayEquals(new long[] {1}, phb.cells("#interrupt-cells"));
            assertArrayEquals(new long[] {0xd00}, phb.cells("ibm,pe-total-#msi"));
            for (String p : List.of("interrupt-map-mask", "#interrupt-cells", "ibm,pe-total-#msi")) {
                assertArrayEquals(qemu.cells(REF_PHB, p), phb.cells(p), p + " vs " + "xics_smp4.dts");
            }
        }

        @Test
        void regIsTheBuid() {
            assertEquals(0x800000020000000L, m.phb().buid());
            assertArrayEquals(new long[] {0x8000000, 0x20000000, 0, 0}, phb.cells("reg"));
            assertArrayEquals(qemu.cells(REF_PHB, "reg"), phb.cells("reg"));
        }

        @Test
        void phbRtasTokensAreQemus() {
            DtNode rtas = m.deviceTree().child("rtas");
            for (String call : List.of("read-pci-config", "write-pci-config", "ibm,read-pci-config", "ibm,write-pci-config",
                "ibm,query-interrupt-source-number", "ibm,change-msi", "ibm,set-eeh-option", "ibm,get-config-addr-info2",
                "ibm,read-slot-reset-state2", "ibm,set-slot-reset", "ibm,configure-pe", "ibm,slot-error-detail")) {
                assertArrayEquals(qemu.cells("/rtas", call), rtas.cells(call), call);
            }
            assertTrue(rtas.has("ibm,change-msix-capable") && qemu.has("/rtas", "ibm,change-msix-capable"));
        }
    }

    // ================================================================== INTx

    @Nested
    class Intx {
        @Test
        void deviceAtSlotSOnTheRootBusDrivesLsiSMod4() {
            DeviceConfig[] devs = new DeviceConfig[8];
            for (int s = 0; s < 8; s++) {
                devs[s] = dev("virtio-blk-pci", "id", "blk" + s, "addr", (long) s);
            }
            Machine m = withDevices(devs);
            FakeIntc xics = FakeIntc.of(m, "xics");
            for (int s = 0; s < 8; s++) {
                PciDevice d = m.phb().device("blk" + s);
                int lsi = 0x1200 + s % 4;
                long before = m.irq(lsi).raiseCount();
                xics.log.clear();
                d.setIntx(true);
                assertTrue(m.irq(lsi).level(), "slot " + s);
                assertEquals(before + 1, m.irq(lsi).raiseCount(), "slot " + s);
                assertEquals(List.of(String.format("setIrq 0x%x 1", lsi)), xics.logged("setIrq"), "slot " + s);
                d.setIntx(false);
                assertFalse(m.irq(lsi).level(), "slot " + s);
                assertEquals(List.of(String.format("setIrq 0x%x 1", lsi), String.format("setIrq 0x%x 0", lsi)),
                    xics.logged("setIrq"), "slot " + s);
            }
        }

        @Test
        void virtioBlkAt0103BehindTheBridgeAt0001DrivesLsi0x1200() {
            // qemu-observed "IRQ numbers": virtio-blk at 01:03.0 behind the bridge lands on 0x1200
            Machine m = observed();
            PciDevice blk = m.phb().device("virtio-blk0");
            assertEquals("0000:01:03.0", blk.pciAddress());
            assertEquals(BLK, blk.configAddress());
            FakeIntc xics = FakeIntc.of(m, "xics");
            xics.log.clear();
            blk.setIntx(true);
            assertArrayEquals(new int[] {0x1200}, m.raisedLines());
            assertEquals(List.of("setIrq 0x1200 1"), xics.logged("setIrq"));
            assertEquals(List.of(), FakeIntc.of(m, "xive").logged("setIrq"), "only the active controller hears lines");
            blk.setIntx(false);
            assertArrayEquals(new int[0], m.raisedLines());
            assertEquals(0x1200, blk.info().get("intx"));
        }

        @Test
        void swizzleAppliesAtTheBridgeSlotToo() {
            // pin' = (pin + slot) % 4 at each level: behind a bridge at 00:02.0, slot s lands on (s + 2) % 4
            Machine m = withDevices(dev("pci-bridge", "id", "br", "addr", 2L),
                dev("virtio-blk-pci", "id", "b0", "bus", "br", "addr", 0L),
                dev("virtio-blk-pci", "id", "b1", "bus", "br", "addr", 1L),
                dev("virtio-blk-pci", "id", "b2", "bus", "br", "addr", 2L),
                dev("virtio-blk-pci", "id", "b3", "bus", "br", "addr", 3L),
                dev("virtio-blk-pci", "id", "b7", "bus", "br", "addr", 7L));
            for (int s : new int[] {0, 1, 2, 3, 7}) {
                PciDevice d = m.phb().device("b" + s);
                d.setIntx(true);
                assertArrayEquals(new int[] {0x1200 + (s + 2) % 4}, m.raisedLines(), "slot " + s);
                d.setIntx(false);
            }
        }

        @Test
        void twoDevicesSharingAnLsiAreWiredOr() {
            // slots 0 and 4 on the root bus both reach INTA = 0x1200
            Machine m = withDevices(dev("virtio-blk-pci", "id", "a", "addr", 0L),
                dev("virtio-blk-pci", "id", "b", "addr", 4L));
            PciDevice a = m.phb().device("a");
            PciDevice b = m.phb().device("b");
            FakeIntc xics = FakeIntc.of(m, "xics");
            xics.log.clear();
            a.setIntx(true);
            b.setIntx(true);
            assertTrue(m.irq(0x1200).level());
            a.setIntx(false);
            assertTrue(m.irq(0x1200).level(), "b still asserts");
            assertEquals(List.of("setIrq 0x1200 1"), xics.logged("setIrq"), "no drop while b asserts");
            a.setIntx(true);
            b.setIntx(false);
            assertTrue(m.irq(0x1200).level(), "a asserts again");
            a.setIntx(false);
            assertFalse(m.irq(0x1200).level());
            assertEquals(List.of("setIrq 0x1200 1", "setIrq 0x1200 0"), xics.logged("setIrq"));
            assertEquals(1, m.irq(0x1200).raiseCount());
        }
    }

    // ================================================================== ibm,change-msi and the allocator

    @Nested
    class ChangeMsi {
        private final Machine m = observed();
        private final FakeIntc xics = FakeIntc.of(m, "xics");
        private final FakeIntc xive = FakeIntc.of(m, "xive");

        @Test
        void msiFunctionOnAnMsixOnlyDeviceIsAParameterError() {
            // qemu-observed: ibm,change-msi(cfg, buid, 3, 0, 1) -> -3 for virtio-net
            assertRtas(-3, null, changeMsi(m, NET, 3, 0, 1));
            assertRtas(-3, null, changeMsi(m, NET, 3, 1, 1));
            assertEquals(List.of(), msiClaims(xics));
        }

        @Test
        void releasingWithNothingAllocatedIsAHardwareError() {
            // qemu-observed: (..., 1, 0, 1) -> -1 ("Releasing wrong config")
            assertRtas(-1, null, changeMsi(m, NET, 1, 0, 1));
            assertRtas(-1, null, changeMsi(m, NET, 4, 0, 1));
            assertRtas(-1, null, changeMsi(m, BRIDGE, 3, 0, 1));
        }

        @Test
        void virtioNetMsix4IsGrantedFrom0x1300AndClaimedMsiEverywhere() {
            // qemu-observed: ibm,change-msi(0, 0x8000000, 0x20000000, 4, 4, 1) -> (0, 4, 2, 2)
            assertRtas(0, new int[] {4, 2, 2}, changeMsi(m, NET, 4, 4, 1));
            for (FakeIntc c : List.of(xics, xive)) {
                assertEquals(List.of(0x1300, 0x1301, 0x1302, 0x1303), msiClaims(c), c.name());
                for (int irq = 0x1300; irq <= 0x1303; irq++) {
                    assertEquals(Boolean.FALSE, c.claims.get(irq), c.name() + " claims MSIs as edge");
                }
            }
            for (int irq = 0x1300; irq <= 0x1303; irq++) {
                assertTrue(m.irqSpace().isMsiAllocated(irq));
                assertFalse(m.irq(irq).lsi());
            }
            assertFalse(m.irqSpace().isMsiAllocated(0x1304));
            PciDevice net = m.phb().device("virtio-net0");
            assertEquals(0x1300, net.msiFirst());
            assertEquals(4, net.msiCount());
        }

        @Test
        void theSequenceNumberIsIncrementedAndTheTypeWordNeedsNretFour() {
            assertRtas(0, new int[] {4, 8, 2}, changeMsi(m, NET, 4, 4, 7));
            RtasResult r = m.rtas(0, "ibm,change-msi", new int[] {BRIDGE, HI, LO, 3, 1, 41}, 3);
            assertRtas(0, new int[] {1, 42}, r);
        }

        @Test
        void functionOnePicksMsiWhenPresentElseMsix() {
            assertRtas(0, new int[] {1, 2, 1}, changeMsi(m, BRIDGE, 1, 1, 1));
            assertRtas(0, new int[] {2, 2, 2}, changeMsi(m, NET, 1, 2, 1));
            assertRtas(-3, null, changeMsi(m, BLK, 1, 1, 1));   // vectors=0: neither MSI nor MSI-X
        }

        @Test
        void querySourceNumberAnswersFirstPlusKAsEdge() {
            assertRtas(-1, null, query(m, NET, 0));     // nothing allocated yet
            changeMsi(m, NET, 4, 4, 1);
            for (int k = 0; k < 4; k++) {
                // qemu-observed: -> (0, 0x1300+k, 1)
                assertRtas(0, new int[] {0x1300 + k, 1}, query(m, NET, k));
            }
            assertRtas(-1, null, query(m, NET, 4));
            assertRtas(-1, null, query(m, NET, -1));
            assertRtas(-1, null, query(m, BRIDGE, 0));  // another function: nothing of its own
        }

        @Test
        void askingMoreThanTheTableHoldsAnswersTheTableSizeAndAllocatesNothing() {
            assertRtas(0, new int[] {4, 6, 2}, changeMsi(m, NET, 4, 5, 5));
            assertRtas(0, new int[] {4, 2, 2}, changeMsi(m, NET, 4, 0x80000000, 1));
            assertRtas(0, new int[] {1, 2, 1}, changeMsi(m, BRIDGE, 3, 2, 1));
            assertEquals(List.of(), msiClaims(xics));
            assertEquals(List.of(), msiClaims(xive));
            assertFalse(m.irqSpace().isMsiAllocated(0x1300));
            assertRtas(-1, null, query(m, NET, 0));
            assertEquals(0, m.phb().device("virtio-net0").msiCount());
        }

        @Test
        void aSecondChangeMsiFreesTheFirstAllocation() {
            changeMsi(m, NET, 4, 4, 1);
            // QEMU allocates and claims the new block before releasing the old one
            assertRtas(0, new int[] {2, 3, 2}, changeMsi(m, NET, 4, 2, 2));
            assertRtas(0, new int[] {0x1304, 1}, query(m, NET, 0));
            assertRtas(0, new int[] {0x1305, 1}, query(m, NET, 1));
            assertRtas(-1, null, query(m, NET, 2));
            assertEquals(List.of(0x1304, 0x1305), msiClaims(xics));
            assertEquals(List.of(0x1304, 0x1305), msiClaims(xive));
            for (int irq = 0x1300; irq <= 0x1303; irq++) {
                assertFalse(m.irqSpace().isClaimed(irq));
                assertFalse(m.irqSpace().isMsiAllocated(irq));
                assertNotNull(m.claimIrq(irq, false, "test"), "claimable again");
            }
        }

        @Test
        void releasingWithZeroVectorsFreesThemAndAnswersZero() {
            changeMsi(m, NET, 4, 4, 1);
            xics.log.clear();
            assertRtas(0, new int[] {0, 0, 0}, changeMsi(m, NET, 1, 0, 2));
            assertEquals(List.of("free 0x1300", "free 0x1301", "free 0x1302", "free 0x1303"), xics.logged("free"));
            assertEquals(List.of(), msiClaims(xive));
            for (int irq = 0x1300; irq <= 0x1303; irq++) {
                assertFalse(m.irqSpace().isMsiAllocated(irq));
                assertFalse(m.lines().containsKey(irq));
            }
            assertRtas(-1, null, query(m, NET, 0));
            assertRtas(-1, null, changeMsi(m, NET, 1, 0, 3));  // released twice: wrong config
            // the allocator hands the same numbers out again
            assertRtas(0, new int[] {4, 2, 2}, changeMsi(m, NET, 4, 4, 1));
            assertRtas(0, new int[] {0x1300, 1}, query(m, NET, 0));
        }

        @Test
        void unknownBuidOrConfigAddressIsAParameterError() {
            int[][] bad = {
                {NET, HI, LO + 1}, {NET, 0, LO}, {NET, 0, 0},      // BUID
                {0x1800, HI, LO}, {0x20000, HI, LO}, {0x100, HI, LO}, {0x11000, HI, LO}, // no device at 00:03.0, 02:00.0, 00:00.1, 01:02.0
            };
            for (int[] b : bad) {
                String w = Arrays.toString(b);
                assertEquals(-3, m.rtas(0, "ibm,change-msi", new int[] {b[0], b[1], b[2], 4, 4, 1}, 4).status(), w);
                assertEquals(-3, m.rtas(0, "ibm,change-msi", new int[] {b[0], b[1], b[2], 1, 0, 1}, 4).status(), w);
                assertEquals(-3, m.rtas(0, "ibm,query-interrupt-source-number", new int[] {b[0], b[1], b[2], 0}, 3).status(), w);
            }
            assertEquals(List.of(), msiClaims(xics));
        }

        @Test
        void unknownFunctionIsAParameterError() {
            for (int func : new int[] {0, 2, 5, -1}) {
                assertRtas(-3, null, changeMsi(m, NET, func, 4, 1));
                assertRtas(-3, null, changeMsi(m, BRIDGE, func, 1, 1));
            }
            assertEquals(List.of(), msiClaims(xics));
        }

        @Test
        void msiBlocksAreFirstFitAndMsixBlocksStartEvenAsQemuAllocates() {
            m.phb().plug(new MsiTestDevice("msi8", 8), null, 5);
            int t = 5 << 11;
            assertRtas(0, new int[] {3, 2, 2}, changeMsi(m, NET, 4, 3, 1));        // MSI-X 0x1300..0x1302
            assertRtas(0, new int[] {4, 2, 1}, changeMsi(m, t, 3, 4, 1));          // MSI 4: 0x1303, unaligned
            assertRtas(0, new int[] {0x1303, 1}, query(m, t, 0));
            assertRtas(0, new int[] {1, 2, 1}, changeMsi(m, BRIDGE, 3, 1, 1));    // MSI 1: 0x1307
            assertRtas(0, new int[] {0x1307, 1}, query(m, BRIDGE, 0));
            assertRtas(0, new int[] {8, 3, 1}, changeMsi(m, t, 3, 8, 2));          // MSI 8: 0x1308, then 0x1303..6 freed
            assertRtas(0, new int[] {0x1308, 1}, query(m, t, 0));
            assertEquals(List.of(0x1300, 0x1301, 0x1302, 0x1307, 0x1308, 0x1309, 0x130a, 0x130b, 0x130c, 0x130d,
                0x130e, 0x130f), msiClaims(xive));
            assertRtas(0, new int[] {1, 2, 2}, changeMsi(m, NET, 4, 1, 1));        // MSI-X 1: 0x1303 is free but odd
            assertRtas(0, new int[] {0x1304, 1}, query(m, NET, 0));
        }

        @Test
        void aNonPowerOfTwoMsiRequestIsRefusedWithAGuestError() {
            m.phb().plug(new MsiTestDevice("msi8", 8), null, 5);
            List<TraceEvent> errors = guestErrors(m);
            assertRtas(-1, null, changeMsi(m, 5 << 11, 3, 3, 1));
            assertEquals(1, errors.size(), messages(errors));
            assertTrue(messages(errors).contains("3") && messages(errors).contains("power of two"), messages(errors));
            assertEquals(List.of(), msiClaims(xics));
            assertFalse(m.irqSpace().isMsiAllocated(0x1300));
            assertRtas(-1, null, query(m, 5 << 11, 0));
        }
    }

    // ================================================================== reset

    @Nested
    class Reset {
        @Test
        void machineResetReleasesEveryMsi() {
            Machine m = observed();
            changeMsi(m, NET, 4, 4, 1);
            changeMsi(m, BRIDGE, 3, 1, 1);
            m.reset();
            for (String ic : List.of("xics", "xive")) {
                assertEquals(List.of(), msiClaims(FakeIntc.of(m, ic)), ic);
            }
            for (int irq = 0x1300; irq <= 0x1304; irq++) {
                assertFalse(m.irqSpace().isMsiAllocated(irq), String.format("0x%x", irq));
                assertFalse(m.irqSpace().isClaimed(irq), String.format("0x%x", irq));
            }
            assertRtas(-1, null, query(m, NET, 0));
            assertRtas(-1, null, changeMsi(m, NET, 1, 0, 1));   // nothing to release any more
            // the guest after reboot gets the same numbers again
            assertRtas(0, new int[] {4, 2, 2}, changeMsi(m, NET, 4, 4, 1));
            assertRtas(0, new int[] {0x1300, 1}, query(m, NET, 0));
            assertEquals(List.of(0x1300, 0x1301, 0x1302, 0x1303), msiClaims(FakeIntc.of(m, "xive")));
        }

        @Test
        void machineResetLowersIntx() {
            Machine m = observed();
            PciDevice blk = m.phb().device("virtio-blk0");
            PciDevice bridge = m.phb().device("br0");
            blk.setIntx(true);
            bridge.setIntx(true);
            m.reset();
            assertFalse(m.irq(0x1200).level());
            assertFalse(m.irq(0x1201).level());
            assertFalse(blk.intxAsserted());
            assertFalse(bridge.intxAsserted());
            assertArrayEquals(new int[0], m.raisedLines());
            // the wired-OR count restarted from zero: one raise and one drop move the line
            FakeIntc xics = FakeIntc.of(m, "xics");
            xics.log.clear();
            blk.setIntx(true);
            assertTrue(m.irq(0x1200).level());
            blk.setIntx(false);
            assertFalse(m.irq(0x1200).level(), "a count left over from before the reset keeps the line up");
            assertEquals(List.of("setIrq 0x1200 1", "setIrq 0x1200 0"), xics.logged("setIrq"));
        }
    }

    // ================================================================== the MSI window

    @Nested
    class MsiWindow {
        private final Machine m = observed();
        private final List<TraceEvent> errors = guestErrors(m);
        private final FakeIntc xics = FakeIntc.of(m, "xics");

        /** The register value a store must carry so that the little-endian bytes read {@code irq}. */
        private long le32(int irq) {
            return Integer.reverseBytes(irq) & 0xffff_ffffL;
        }

        @Test
        void aStoreOfAnAllocatedNumberPulsesIt() {
            changeMsi(m, NET, 4, 4, 1);
            xics.log.clear();
            m.store(0, SpaprPhb.MSI_WINDOW, 4, le32(0x1301));
            assertEquals(1, m.irq(0x1301).raiseCount());
            assertFalse(m.irq(0x1301).level(), "an MSI is a pulse");
            assertEquals(0, m.irq(0x1300).raiseCount());
            assertEquals(List.of("setIrq 0x1301 1", "setIrq 0x1301 0"), xics.logged("setIrq"));
            m.store(0, SpaprPhb.MSI_WINDOW, 4, le32(0x1303));
            m.store(0, SpaprPhb.MSI_WINDOW, 4, le32(0x1303));
            assertEquals(2, m.irq(0x1303).raiseCount());
            assertEquals(List.of(), errors, messages(errors));
            assertEquals(0x40000000000L, SpaprPhb.MSI_WINDOW);
        }

        @Test
        void aStoreOfAnUnclaimedNumberIsAGuestError() {
            changeMsi(m, NET, 4, 4, 1);
            xics.log.clear();
            m.store(0, SpaprPhb.MSI_WINDOW, 4, le32(0x1304));
            assertEquals(1, errors.size(), messages(errors));
            assertTrue(messages(errors).contains("0x1304"), messages(errors));
            // the data is little-endian: 0x1301 as a big-endian word reads 0x01130000
            m.store(0, SpaprPhb.MSI_WINDOW, 4, 0x1301);
            assertEquals(2, errors.size(), messages(errors));
            assertEquals(0, m.irq(0x1301).raiseCount());
            assertEquals(List.of(), xics.logged("setIrq"));
        }

        @Test
        void aLoadGivesAllOnesAndAGuestError() {
            assertEquals(0xffff_ffffL, m.load(0, SpaprPhb.MSI_WINDOW, 4));
            assertEquals(1, errors.size(), messages(errors));
            assertEquals(-1L, m.load(0, SpaprPhb.MSI_WINDOW + 8, 8));
            assertEquals(2, errors.size(), messages(errors));
        }
    }

    // ================================================================== configuration space

    @Nested
    class ConfigSpace {
        private final Machine m = observed();

        private RtasResult read(int cfg, int reg, int size) {
            return m.rtas(0, "ibm,read-pci-config", new int[] {cfg | reg, HI, LO, size}, 2);
        }

        private int readOk(int cfg, int reg, int size) {
            RtasResult r = read(cfg, reg, size);
            assertEquals(0, r.status(), String.format("read %x+%x/%d", cfg, reg, size));
            return r.rets()[0];
        }

        private RtasResult write(int cfg, int reg, int size, int value) {
            return m.rtas(0, "ibm,write-pci-config", new int[] {cfg | reg, HI, LO, size, value}, 1);
        }

        @Test
        void readsVendorDeviceClassHeaderTypeAndInterruptPin() {
            // virtio-net-pci: 1af4:1000, class 02 00 00, endpoint
            assertEquals(0x1af4, readOk(NET, 0x00, 2));
            assertEquals(0x1000, readOk(NET, 0x02, 2));
            assertEquals(0x10001af4, readOk(NET, 0x00, 4));
            assertEquals(0x02000000, readOk(NET, 0x08, 4));
            assertEquals(0x02, readOk(NET, 0x0b, 1));
            assertEquals(0x00, readOk(NET, 0x0e, 1));
            assertEquals(0x01, readOk(NET, 0x3d, 1));
            assertEquals(0x1af4, readOk(NET, 0x2c, 2));
            assertEquals(0x0001, readOk(NET, 0x2e, 2));
            // pci-bridge: 1b36:0001, class 06 04 00, header type 1
            assertEquals(0x00011b36, readOk(BRIDGE, 0x00, 4));
            assertEquals(0x0604, readOk(BRIDGE, 0x0a, 2));
            assertEquals(0x01, readOk(BRIDGE, 0x0e, 1));
            assertEquals(0x01, readOk(BRIDGE, 0x3d, 1));
            // virtio-blk-pci behind the bridge: 1af4:1001, class 01 00 00
            assertEquals(0x10011af4, readOk(BLK, 0x00, 4));
            assertEquals(0x0100, readOk(BLK, 0x0a, 2));
            assertEquals(0x0002, readOk(BLK, 0x2e, 2));
            assertEquals(0x01, readOk(BLK, 0x3d, 1));
        }

        @Test
        void badSizeMisalignmentOrUnknownDeviceIsAHardwareError() {
            for (int size : new int[] {0, 3, 8, -1}) {
                assertEquals(-1, read(NET, 0, size).status(), "size " + size);
                assertEquals(-1, write(NET, 4, size, 0).status(), "size " + size);
            }
            assertEquals(-1, read(NET, 0x01, 2).status());
            assertEquals(-1, read(NET, 0x02, 4).status());
            assertEquals(-1, read(NET, 0x3d, 4).status());
            assertEquals(-1, write(NET, 0x05, 2, 0).status());
            assertEquals(-1, read(0x1800, 0, 4).status(), "no device at 00:03.0");
            assertEquals(-1, read(0x20000, 0, 4).status(), "no bus 2");
            assertEquals(-1, read(0x100, 0, 4).status(), "no function 1");
            assertEquals(-1, read(NET | 0x10000000, 0, 4).status(), "extended register 0x100 is beyond 256 bytes");
            assertEquals(-1, m.rtas(0, "ibm,read-pci-config", new int[] {NET, HI, LO + 1, 4}, 2).status(), "unknown BUID");
            assertEquals(-1, m.rtas(0, "ibm,write-pci-config", new int[] {NET | 4, 0, 0, 2, 7}, 1).status(), "BUID 0");
            assertEquals(0, readOk(NET, 0x04, 2), "the failed writes changed nothing");
        }

        @Test
        void wrongArgumentOrResultCountsAreAHardwareError() {
            assertEquals(-1, m.rtas(0, "ibm,read-pci-config", new int[] {NET, HI, LO}, 2).status());
            assertEquals(-1, m.rtas(0, "ibm,read-pci-config", new int[] {NET, HI, LO, 4, 0}, 2).status());
            assertEquals(-1, m.rtas(0, "ibm,read-pci-config", new int[] {NET, HI, LO, 4}, 1).status());
            assertEquals(-1, m.rtas(0, "ibm,read-pci-config", new int[] {NET, HI, LO, 4}, 3).status());
            assertEquals(-1, m.rtas(0, "ibm,write-pci-config", new int[] {NET | 4, HI, LO, 2}, 1).status());
            assertEquals(-1, m.rtas(0, "ibm,write-pci-config", new int[] {NET | 4, HI, LO, 2, 7}, 2).status());
            assertEquals(-1, m.rtas(0, "read-pci-config", new int[] {NET, 4, 0}, 2).status());
            assertEquals(-1, m.rtas(0, "read-pci-config", new int[] {NET, 4}, 1).status());
            assertEquals(-1, m.rtas(0, "write-pci-config", new int[] {NET | 4, 2}, 1).status());
            assertEquals(-1, m.rtas(0, "write-pci-config", new int[] {NET | 4, 2, 7}, 2).status());
            assertEquals(0, readOk(NET, 0x04, 2), "nothing was written");
        }

        @Test
        void writesChangeOnlyTheCommandRegisterAndInterruptLine() {
            assertEquals(0, write(NET, 0x04, 2, 0x0407).status());
            assertEquals(0x0407, readOk(NET, 0x04, 2));
            assertEquals(0, write(NET, 0x3c, 1, 0x25).status());
            assertEquals(0x25, readOk(NET, 0x3c, 1));
            // read-only: identity, class, subsystem, pin
            int before00 = readOk(NET, 0x00, 4);
            int before08 = readOk(NET, 0x08, 4);
            int before2c = readOk(NET, 0x2c, 4);
            assertEquals(0, write(NET, 0x00, 4, 0xdeadbeef).status());
            assertEquals(0, write(NET, 0x08, 4, 0xffffffff).status());
            assertEquals(0, write(NET, 0x2c, 4, 0x12345678).status());
            assertEquals(before00, readOk(NET, 0x00, 4));
            assertEquals(before08, readOk(NET, 0x08, 4));
            assertEquals(before2c, readOk(NET, 0x2c, 4));
            // a 4-byte write at 0x3c changes the line byte only, not the pin
            assertEquals(0, write(NET, 0x3c, 4, 0xaabbcc11).status());
            assertEquals(0x00000111, readOk(NET, 0x3c, 4));
            // other functions are untouched
            assertEquals(0, readOk(BRIDGE, 0x04, 2));
            assertEquals(0, readOk(BRIDGE, 0x3c, 1));
        }

        @Test
        void theNonIbmVariantsLookUpBuidZeroAndFindNoDevice() {
            // QEMU's read-pci-config/write-pci-config search BUID 0: no host bridge has it
            assertEquals(-1, m.rtas(0, "read-pci-config", new int[] {BLK, 4}, 2).status());
            assertEquals(-1, m.rtas(0, "write-pci-config", new int[] {BRIDGE | 0x04, 2, 0x0006}, 1).status());
            assertEquals(0, readOk(BRIDGE, 0x04, 2), "the write changed nothing");
            assertEquals(0x10011af4, readOk(BLK, 0x00, 4), "the ibm, variant reaches the same device");
        }

        @Test
        void resetRestoresTheConfigurationSpace() {
            write(NET, 0x04, 2, 0x0007);
            write(NET, 0x3c, 1, 0x25);
            m.reset();
            assertEquals(0, readOk(NET, 0x04, 2));
            assertEquals(0, readOk(NET, 0x3c, 1));
            assertEquals(0x10001af4, readOk(NET, 0x00, 4));
        }
    }

    // ================================================================== EEH

    @Nested
    class Eeh {
        private final Machine m = observed();

        @Test
        void everyEehCallAnswersParameterError() {
            // QEMU: spapr_phb_eeh_available() is false for emulated devices; qemu-observed: get-config-addr-info2 -> -3
            Object[][] calls = {
                {"ibm,set-eeh-option", new int[] {NET, HI, LO, 1}, 1},
                {"ibm,get-config-addr-info2", new int[] {NET, HI, LO, 0}, 2},
                {"ibm,get-config-addr-info2", new int[] {NET, HI, LO, 1}, 2},
                {"ibm,read-slot-reset-state2", new int[] {NET, HI, LO}, 4},
                {"ibm,read-slot-reset-state2", new int[] {NET, HI, LO}, 5},
                {"ibm,set-slot-reset", new int[] {NET, HI, LO, 1}, 1},
                {"ibm,configure-pe", new int[] {NET, HI, LO}, 1},
                {"ibm,slot-error-detail", new int[] {NET, HI, LO, 0, 0, 0, 0, 1}, 1},
            };
            for (Object[] c : calls) {
                RtasResult r = m.rtas(0, (String) c[0], (int[]) c[1], (Integer) c[2]);
                assertEquals(-3, r.status(), (String) c[0]);
            }
        }

        @Test
        void eehCallsWithBadCountsOrBuidAlsoAnswerParameterError() {
            assertEquals(-3, m.rtas(0, "ibm,set-eeh-option", new int[] {NET, HI, LO}, 1).status());
            assertEquals(-3, m.rtas(0, "ibm,set-eeh-option", new int[] {NET, HI, LO + 1, 1}, 1).status());
            assertEquals(-3, m.rtas(0, "ibm,get-config-addr-info2", new int[] {NET, HI, LO, 0}, 1).status());
            assertEquals(-3, m.rtas(0, "ibm,configure-pe", new int[] {NET, 0, 0}, 1).status());
            assertEquals(-3, m.rtas(0, "ibm,slot-error-detail", new int[] {NET, HI, LO}, 1).status());
        }
    }

    // ================================================================== the observed configuration's tree

    @Nested
    class ObservedDeviceTree {
        private final Machine m = FakeIntc.machine(observedConfig("xics"));
        private final DtNode phb = m.deviceTree().child(PHB);
        private final QemuDts qemu = QemuDts.load("xics_smp4.dts");

        @Test
        void nodesAreThoseQemuBuilt() {
            assertEquals(qemu.children(REF_PHB), phb.children().stream().map(DtNode::name).toList());
            assertEquals(qemu.children(REF_PHB + "/pci@1"), phb.child("pci@1").children().stream().map(DtNode::name).toList());
        }

        @Test
        void ethernetHasMsixFourInterruptOneAndTheConfigAddressFirst() {
            DtNode eth = phb.child("ethernet@0");
            assertNotNull(eth);
            assertArrayEquals(new long[] {4}, eth.cells("ibm,req#msi-x"));
            assertArrayEquals(new long[] {1}, eth.cells("interrupts"));
            assertFalse(eth.has("ibm,req#msi"));
            assertEquals(NET, eth.cells("reg")[0]);
        }

        @Test
        void bridgeHasMsiOneAndTheBlkChildHasNoMsix() {
            DtNode br = phb.child("pci@1");
            assertNotNull(br);
            assertArrayEquals(new long[] {1}, br.cells("ibm,req#msi"));
            assertArrayEquals(new long[] {1}, br.cells("interrupts"));
            assertEquals(BRIDGE, br.cells("reg")[0]);
            DtNode scsi = br.child("scsi@3");
            assertNotNull(scsi);
            assertNull(phb.child("scsi@3"), "the blk node sits under the bridge");
            assertEquals(0x11800, scsi.cells("reg")[0]);
            assertFalse(scsi.has("ibm,req#msi-x"));
            assertFalse(scsi.has("ibm,req#msi"));
            assertArrayEquals(new long[] {1}, scsi.cells("interrupts"));
        }

        @Test
        void interruptPropertiesMatchQemusFile() {
            List<String> diffs = new ArrayList<>();
            for (String rel : List.of("ethernet@0", "pci@1", "pci@1/scsi@3")) {
                DtNode ours = phb.find(rel);
                String path = REF_PHB + "/" + rel;
                for (String p : List.of("interrupts", "ibm,req#msi", "ibm,req#msi-x", "reg")) {
                    long[] q = qemu.cells(path, p);
                    long[] o = ours == null ? null : ours.cells(p);
                    if (!Arrays.equals(q, o)) {
                        diffs.add(rel + " " + p + ": QEMU " + Arrays.toString(q) + " ours " + Arrays.toString(o));
                    }
                }
            }
            assertTrue(diffs.isEmpty(), String.join("\n", diffs));
        }

        @Test
        void identityPropertiesMatchQemusFile() {
            List<String> diffs = new ArrayList<>();
            for (String rel : List.of("ethernet@0", "pci@1", "pci@1/scsi@3")) {
                DtNode ours = phb.find(rel);
                String path = REF_PHB + "/" + rel;
                for (String p : List.of("vendor-id", "device-id", "class-code", "revision-id", "subsystem-vendor-id",
                    "subsystem-id", "#address-cells", "#size-cells")) {
                    long[] q = qemu.cells(path, p);
                    long[] o = ours.cells(p);
                    if (!Arrays.equals(q, o)) {
                        diffs.add(rel + " " + p + ": QEMU " + Arrays.toString(q) + " ours " + Arrays.toString(o));
                    }
                }
            }
            assertTrue(diffs.isEmpty(), String.join("\n", diffs));
        }

        @Test
        void infoReportsTheInterruptWiring() {
            Map<String, Object> net = m.phb().device("virtio-net0").info();
            assertEquals(0x1200, net.get("intx"));
            assertEquals(4, net.get("msixEntries"));
            assertNull(net.get("msiFirst"));
            assertEquals(0x1201, m.phb().device("br0").info().get("intx"));
        }
    }
}
