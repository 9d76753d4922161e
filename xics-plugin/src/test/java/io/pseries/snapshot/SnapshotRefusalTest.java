package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;
import io.pseries.core.snapshot.SnapshotDump;
import io.pseries.core.snapshot.SnapshotException;
import io.pseries.core.util.Json;

/**
 * Restore validates everything before it changes anything: each kind of bad stream is refused
 * whole with an error naming the section and the reason, and the target (a machine mid
 * workload, not a fresh one) is exactly as it was: same snapshot bytes, same {@code pic()}.
 */
class SnapshotRefusalTest {
    private Machine target;
    private byte[] targetBefore;
    private String picBefore;
    private byte[] good;

    @BeforeEach
    void setUp() {
        Workloads.Workload w = Workloads.all().get(0);
        Machine src = w.create();
        w.setup().accept(src);
        w.before().accept(src);
        w.after().accept(src);
        good = src.snapshot();
        target = w.create();
        w.setup().accept(target);
        w.before().accept(target);
        targetBefore = target.snapshot();
        picBefore = Json.write(target.pic());
    }

    private SnapshotException refused(byte[] stream) {
        SnapshotException e = assertThrows(SnapshotException.class, () -> target.restore(stream));
        assertArrayEquals(targetBefore, target.snapshot(), "the refused restore changed the target");
        assertEquals(picBefore, Json.write(target.pic()));
        return e;
    }

    @Test
    void aTruncatedStreamIsRefusedNamingWhereItEnds() {
        SnapshotException e = refused(Arrays.copyOf(good, good.length / 2));
        assertTrue(e.getMessage().contains("truncated while reading"), e.getMessage());
        assertTrue(e.section() != null, e.getMessage());
    }

    @Test
    void aCorruptByteIsACheckSumMismatchOfItsSection() {
        List<SnapshotDump.Section> d = SnapshotDump.decode(good);
        int at = Workloads.indexOfSection(good, "xics/icp/1") + 20;
        byte[] bad = good.clone();
        bad[at] ^= 0x10;
        SnapshotException e = refused(bad);
        assertEquals("xics/icp/1", e.section(), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertTrue(d.size() > 5);
    }

    @Test
    void aStreamOfAnotherConfigurationIsForeign() {
        Machine two = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").build());
        SnapshotException e = refused(two.snapshot());
        assertEquals("config", e.section());
        assertTrue(e.getMessage().contains("foreign stream: it was taken from a machine with cpus 2, this machine has 4"),
            e.getMessage());
    }

    @Test
    void aStreamWithAnotherComponentSetIsForeign() {
        List<SnapshotDump.Section> d = SnapshotDump.decode(good);
        d.removeIf(s -> s.name().equals("xics/icp/3"));
        SnapshotException e = refused(SnapshotDump.encode(d));
        assertEquals("xics/icp/3", e.section());
        assertTrue(e.getMessage().contains("missing from the stream"), e.getMessage());

        List<SnapshotDump.Section> more = SnapshotDump.decode(good);
        SnapshotDump.Section icp = more.get(more.size() - 1);
        more.add(new SnapshotDump.Section("xics/icp/4", 1, 1, icp.values(), icp.types()));
        SnapshotException e2 = refused(SnapshotDump.encode(more));
        assertEquals("xics/icp/4", e2.section());
        assertTrue(e2.getMessage().contains("foreign stream: this machine has no such component"), e2.getMessage());
    }

    @Test
    void aSectionNewerThanThisVersionIsRefused() {
        List<SnapshotDump.Section> d = SnapshotDump.decode(good);
        for (int i = 0; i < d.size(); i++) {
            SnapshotDump.Section s = d.get(i);
            if (s.name().equals("xics/ics")) {
                d.set(i, new SnapshotDump.Section(s.name(), 2, 1, s.values(), s.types()));
            }
        }
        SnapshotException e = refused(SnapshotDump.encode(d));
        assertEquals("xics/ics", e.section());
        assertTrue(e.getMessage().contains("too new: written at version 2, this version loads up to 1"), e.getMessage());
    }

    @Test
    void aNewerStreamFormatIsRefused() {
        byte[] bad = good.clone();
        bad[9] = 2;
        CRC32C c = new CRC32C();
        c.update(bad, 0, 14);
        int crc = (int) c.getValue();
        bad[14] = (byte) (crc >>> 24);
        bad[15] = (byte) (crc >>> 16);
        bad[16] = (byte) (crc >>> 8);
        bad[17] = (byte) crc;
        SnapshotException e = refused(bad);
        assertEquals("header", e.section());
        assertTrue(e.getMessage().contains("format version 2 is newer than this version reads (1)"), e.getMessage());
    }

    @Test
    void anImpossibleValueIsRefusedByItsSection() {
        List<SnapshotDump.Section> d = SnapshotDump.decode(good);
        SnapshotDump.Section icp = d.stream().filter(s -> s.name().equals("xics/icp/2")).findFirst().orElseThrow();
        icp.values().put("xirr", 0xff000777);
        SnapshotException e = refused(SnapshotDump.encode(d));
        assertEquals("xics/icp/2", e.section());
        assertTrue(e.getMessage().contains("neither the IPI nor an ICS source"), e.getMessage());
    }

    @Test
    void aSnapshotIsRefusedWhileEventsArePending() {
        target.scheduler().after(100, t -> { });
        SnapshotException e = assertThrows(SnapshotException.class, target::snapshot);
        assertEquals("clock", e.section());
        assertTrue(e.getMessage().contains("not at a quiescent point: 1 event is pending"), e.getMessage());
    }

    @Test
    void anEventNoSectionRecordsIsRefusedNamingTheClock_evenWithABootedGuest() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        m.guest().ipi(0, 1);
        m.scheduler().after(100, t -> { });
        SnapshotException e = assertThrows(SnapshotException.class, m::snapshot);
        assertEquals("clock", e.section());
        // the guest's own exception entry is recorded by its section: only the script's event counts
        assertTrue(e.getMessage().contains("not at a quiescent point: 1 event is pending"), e.getMessage());
    }

    /**
     * The in-kernel XICS: the ICS and ICP state is pulled from the device into the emulated
     * sections before saving (ics/icp_get_kvm_state) and pushed into the destination's device
     * (or its emulated XICS) after loading: an IPI presented on vCPU 1 is still presented.
     */
    @Test
    void anInKernelXicsMachineIsSnapshottedThroughItsDevice_andRestoresOnOrOff() {
        Machine m = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").kernelIrqchip("on").build());
        m.hcall(1, io.pseries.core.hcall.Hcalls.H_CPPR, 0xff);
        m.hcall(0, io.pseries.core.hcall.Hcalls.H_IPI, 1, 5);
        m.runUntilIdle();
        byte[] s = m.snapshot();
        for (String k : List.of("on", "off")) {
            Machine d = Machine.create(MachineConfig.builder().cpus(2).icMode("xics").kernelIrqchip(k).build());
            d.restore(s);
            assertEquals("on".equals(k), d.activeController().inKernel());
            long xirr = d.hcall(1, io.pseries.core.hcall.Hcalls.H_XIRR).rets()[0];
            assertEquals(0xff000002L, xirr & 0xffffffffL, "kernelIrqchip " + k + ": the IPI at CPPR 0xFF");
        }
    }

    @Test
    void notASnapshotAtAll() {
        SnapshotException e = refused("hello, world".getBytes());
        assertTrue(e.getMessage().contains("not a pseries snapshot"), e.getMessage());
    }
}
