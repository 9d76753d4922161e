package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.dev.pci.MsixCapability;
import io.pseries.core.dev.pci.PciDevice;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.util.Json;

/**
 * The PCI model's run-time state in snapshots ({@code pci/phb/0}, {@code pci/ID}), one rule or
 * refusal per test: the MSIs a booted guest got from ibm,change-msi come back at the same numbers
 * with their lines, the MSI-X table, message control and pending bits come back, a device MSI
 * after the restore reaches the guest as in the unbroken run, a restore undoes allocations the
 * target made since, older streams load as functions in their reset state, and a stream whose
 * PCI state does not hold together is refused naming the section, the target unchanged.
 */
class PciSnapshotTest {
    private static final String NET = "net0";

    private static MachineConfig config(String mode) {
        return MachineConfig.builder().cpus(2).icMode(mode).devices(List.of(MachineConfig.DeviceConfig.of("spapr-vty"),
            new MachineConfig.DeviceConfig("virtio-net-pci", Map.of("id", NET)),
            new MachineConfig.DeviceConfig("virtio-blk-pci", Map.of("id", "blk0", "vectors", 2L)))).build();
    }

    private static Machine booted(String mode) {
        Machine m = Machine.create(config(mode));
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        return m;
    }

    private static PciDevice net(Machine m) {
        return m.phb().device(NET);
    }

    private static Map<String, Object> section(byte[] stream, String name) {
        return SnapshotDump.decode(stream).stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().values();
    }

    /** The stream with one section's fields changed (checksums kept valid). */
    private static byte[] edited(byte[] stream, String name, Consumer<Map<String, Object>> edit) {
        List<SnapshotDump.Section> d = SnapshotDump.decode(stream);
        edit.accept(d.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().values());
        return SnapshotDump.encode(d);
    }

    private static byte[] without(byte[] stream, String prefix) {
        List<SnapshotDump.Section> d = new java.util.ArrayList<>(SnapshotDump.decode(stream));
        d.removeIf(s -> s.name().startsWith(prefix));
        return SnapshotDump.encode(d);
    }

    /** A refusal naming {@code section} and {@code reason}, the target as it was. */
    private static void refused(byte[] stream, String section, String reason) {
        Machine target = booted("xive");
        net(target).msi(1);
        target.runUntilIdle();
        byte[] before = target.snapshot();
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(stream));
        assertTrue(e.getMessage().contains("'" + section + "'") && e.getMessage().contains(reason), e.getMessage());
        assertArrayEquals(before, target.snapshot(), "the refused stream left the target as it was");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xive", "xics"})
    void theGuestsMsiAllocationsComeBackAtTheirNumbersWithTheirLines(String mode) {
        Machine a = booted(mode);
        assertTrue(net(a).msiCount() > 0, "the guest enabled MSI-X on the NIC");
        int first = net(a).msiFirst();
        net(a).msi(1);
        net(a).msi(1);
        a.runUntilIdle();
        Machine b = Machine.create(a.config());
        assertEquals(0, net(b).msiCount(), "a fresh machine holds no MSIs, or the test proves nothing");
        b.restore(a.snapshot());
        assertEquals(first, net(b).msiFirst());
        assertEquals(net(a).msiCount(), net(b).msiCount());
        for (int i = 0; i < net(a).msiCount(); i++) {
            assertTrue(b.irqSpace().isMsiAllocated(first + i) && b.irqSpace().isClaimed(first + i), "0x" + Integer.toHexString(first + i));
            assertEquals(a.irq(first + i).raiseCount(), b.irq(first + i).raiseCount());
        }
        assertEquals(2, b.irq(first + 1).raiseCount(), "the two pulses of vector 1");
        assertEquals(Json.write(a.pic()), Json.write(b.pic()));
        // the allocator's books came back too: the next allocation is where the source's is
        int next = a.irqSpace().allocMsi(2, 2);
        assertTrue(next >= first + net(a).msiCount(), "past the NIC's numbers");
        assertEquals(next, b.irqSpace().allocMsi(2, 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"xive", "xics"})
    void aDeviceMsiAfterTheRestoreReachesTheGuestAsInTheUnbrokenRun(String mode) {
        Machine a = booted(mode);
        Machine b = Machine.create(a.config());
        b.restore(a.snapshot());
        List<String> ea = Workloads.record(a);
        List<String> eb = Workloads.record(b);
        for (Machine m : List.of(a, b)) {
            for (int k = 0; k < net(m).msiCount(); k++) {
                net(m).msi(k);
            }
            m.runUntilIdle();
        }
        assertEquals(ea, eb);
        int first = net(a).msiFirst();
        for (int k = 0; k < 3; k++) {
            long taken = 0;
            for (int c = 0; c < 2; c++) {
                taken += b.guest().irqsTaken(c, first + k);
            }
            assertEquals(1, taken, "vector " + k + " taken once by the restored guest");
        }
        assertEquals(a.now(), b.now());
        assertArrayEquals(a.snapshot(), b.snapshot());
    }

    @Test
    void aRestoreUndoesTheAllocationsTheTargetMadeSince() {
        Machine m = booted("xive");
        byte[] snap = m.snapshot();
        int first = net(m).msiFirst();
        int n = net(m).msiCount();
        // the guest gives the vectors back and asks for one: other numbers, other claims
        int cfg = net(m).configAddress();
        long buid = m.phb().buid();
        RtasResult r = m.guest().rtas(0, "ibm,change-msi", new int[] {cfg, (int) (buid >>> 32), (int) buid, 4, 0, 1}, 3);
        assertEquals(0, r.status());
        assertEquals(0, net(m).msiCount());
        assertFalse(m.irqSpace().isClaimed(first));
        m.restore(snap);
        assertEquals(first, net(m).msiFirst());
        assertEquals(n, net(m).msiCount());
        assertArrayEquals(snap, m.snapshot());
    }

    @Test
    void anOlderStreamWithoutPciSectionsLoadsAsFunctionsInTheirResetState() {
        Machine plain = Machine.create(config("xive"));
        byte[] old = without(plain.snapshot(), "pci/");
        Machine m = booted("xive");
        assertTrue(net(m).msiCount() > 0);
        m.restore(old);
        assertEquals(0, net(m).msiCount(), "the stream's machine held no MSIs");
        assertFalse(m.irqSpace().isMsiAllocated(0x1300));
        assertArrayEquals(plain.snapshot(), m.snapshot());
    }

    @Test
    void theBridgesLsiCountsAreReDerivedFromTheFunctionsIntxLevels() {
        Machine a = Machine.create(config("xics"));
        PciDevice blk = a.phb().device("blk0");
        blk.setIntx(true);
        int lsi = a.phb().lsi(blk.phbLsiIndex());
        assertTrue(a.irq(lsi).level());
        Machine b = Machine.create(a.config());
        b.restore(a.snapshot());
        PciDevice blkB = b.phb().device("blk0");
        assertTrue(blkB.intxAsserted());
        assertTrue(b.irq(lsi).level());
        // the LSI is the OR of its devices' INTx: down with the one device, up again with it
        blkB.setIntx(false);
        assertFalse(b.irq(lsi).level());
        blkB.setIntx(true);
        assertTrue(b.irq(lsi).level(), "the bridge counted the restored INTx level");
    }

    @Test
    void theDmaWindowsTheGuestCreatedComeBack() {
        Machine a = booted("xive");
        long buid = a.phb().buid();
        RtasResult c = a.guest().rtas(0, "ibm,create-pe-dma-window",
            new int[] {net(a).configAddress(), (int) (buid >>> 32), (int) buid, 16, 40}, 4);
        assertEquals(0, c.status());
        assertTrue(a.phb().dmaWindowEnabled(1));
        Machine b = Machine.create(a.config());
        assertFalse(b.phb().dmaWindowEnabled(1));
        b.restore(a.snapshot());
        assertTrue(b.phb().dmaWindowEnabled(1));
        assertArrayEquals(a.snapshot(), b.snapshot());
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void aStreamOfAnotherDeviceSetIsForeign() {
        Machine other = Machine.create(MachineConfig.builder().cpus(2).icMode("xive").devices(List.of(
            MachineConfig.DeviceConfig.of("spapr-vty"), new MachineConfig.DeviceConfig("virtio-net-pci", Map.of("id", NET))))
            .build());
        other.boot(GuestOs.BootOptions.defaults());
        other.runUntilIdle();
        refused(other.snapshot(), "config", "foreign stream");
    }

    @Test
    void anAllocationOutsideTheMsiRangeIsRefused() {
        byte[] s = edited(booted("xive").snapshot(), "pci/" + NET, v -> v.put("msiFirst", 0x1200));
        refused(s, "pci/" + NET, "outside the MSI range");
    }

    @Test
    void twoFunctionsHoldingTheSameMsisAreRefused() {
        byte[] good = booted("xive").snapshot();
        Map<String, Object> net = section(good, "pci/" + NET);
        // the block device's two vectors at the NIC's first two numbers
        byte[] s = edited(good, "pci/blk0", v -> {
            v.put("msiType", net.get("msiType"));
            v.put("msiFirst", net.get("msiFirst"));
            v.put("msiCount", 2);
            v.put("msiLevels", new byte[2]);
            v.put("msiRaises", new long[2]);
        });
        refused(s, "pci/blk0", "claimed by another device or function");
    }

    @Test
    void moreVectorsThanTheFunctionHasAreRefused() {
        byte[] good = booted("xive").snapshot();
        byte[] s = edited(good, "pci/" + NET, v -> {
            int n = 64;
            v.put("msiCount", n);
            v.put("msiLevels", new byte[n]);
            v.put("msiRaises", new long[n]);
        });
        refused(s, "pci/" + NET, "MSI-X vectors were allocated; the function has");
    }

    @Test
    void anAllocationWithoutAKindIsRefused() {
        refused(edited(booted("xive").snapshot(), "pci/" + NET, v -> v.put("msiType", 0)), "pci/" + NET,
            "do not describe an allocation");
    }

    @Test
    void lineStateOfTheWrongLengthOrValueIsRefused() {
        byte[] good = booted("xive").snapshot();
        refused(edited(good, "pci/" + NET, v -> v.put("msiRaises", new long[1])), "pci/" + NET,
            "levels and raise counts have");
        refused(edited(good, "pci/" + NET, v -> {
            byte[] l = ((byte[]) v.get("msiLevels")).clone();
            l[0] = 2;
            v.put("msiLevels", l);
        }), "pci/" + NET, "is not valid");
    }

    @Test
    void msixStateAFunctionWithoutTheCapabilityCannotHoldIsRefused() {
        // virtio here signals its vectors without an MSI-X table of its own (pass-through's is tested with vfio-pci)
        byte[] good = booted("xive").snapshot();
        assertEquals(0, ((int[]) section(good, "pci/" + NET).get("msixTable")).length);
        refused(edited(good, "pci/" + NET, v -> v.put("msixControl", MsixCapability.CONTROL_ENABLE)), "pci/" + NET,
            "presents no MSI-X capability");
    }

    @Test
    void aRegisterValueWiderThanItsRegisterIsRefused() {
        byte[] good = booted("xive").snapshot();
        refused(edited(good, "pci/" + NET, v -> v.put("command", 0x10000)), "pci/" + NET, "does not fit its register");
    }

    @Test
    void anImpossibleDmaWindowIsRefused() {
        byte[] good = booted("xive").snapshot();
        refused(edited(good, "pci/phb/0", v -> v.put("dmaEnabled", new byte[] {1, 2})), "pci/phb/0", "not 0 or 1");
        refused(edited(good, "pci/phb/0", v -> v.put("dmaEnabled", new byte[] {1, 1})), "pci/phb/0",
            "which ibm,create-pe-dma-window cannot give");
        refused(edited(good, "pci/phb/0", v -> v.put("dmaSize", new long[] {1L << 30})), "pci/phb/0",
            "a host bridge has 2 windows");
    }

    @Test
    void aControllerSourceNoPciSectionClaimsIsForeign() {
        byte[] good = booted("xics").snapshot();
        // the stream's NIC gives its MSIs back, but the ICS still has them as MSI sources
        byte[] s = edited(good, "pci/" + NET, v -> {
            v.put("msiType", 0);
            v.put("msiFirst", 0);
            v.put("msiCount", 0);
            v.put("msiLevels", new byte[0]);
            v.put("msiRaises", new long[0]);
        });
        Machine target = Machine.create(config("xics"));
        byte[] before = target.snapshot();
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(s));
        assertTrue(e.getMessage().contains("'xics/ics'") && e.getMessage().contains("foreign stream"), e.getMessage());
        assertArrayEquals(before, target.snapshot());
    }
}
