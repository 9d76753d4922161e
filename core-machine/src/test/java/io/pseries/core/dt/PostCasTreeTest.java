package io.pseries.core.dt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.CasException;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cas.PvrList;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.reference.QemuDts;

/**
 * What QEMU 7.2 rebuilds after CAS (the compat PVR as cpu-version, FORM2 NUMA when negotiated),
 * the rtas-size formula, and the x-vof properties.
 */
class PostCasTreeTest {

    static Machine machine(int cpus) {
        return FakeIntc.machine(MachineConfig.builder().cpus(cpus).icMode("dual").build());
    }

    @Test
    void rtasSizeGrowsWithTheVcpuCountAsQemuComputesIt() {
        assertEquals(0x82c, machine(1).deviceTree().child("rtas").cells("rtas-size")[0]);
        assertEquals(0x85c, machine(4).deviceTree().child("rtas").cells("rtas-size")[0]);
        assertEquals(0x89c, machine(8).deviceTree().child("rtas").cells("rtas-size")[0]);
        assertEquals(QemuDts.load("xive_smp4.dts").cells("/rtas", "rtas-size")[0], PlatformTree.rtasSize(4));
    }

    @Test
    void linuxsPvrListGivesTheCompatPvr0xf000005AsCpuVersion() {
        Machine m = machine(2);
        assertEquals(0x4e1200, m.deviceTree().find("cpus/PowerPC,POWER9@1").cells("cpu-version")[0], "pre-CAS: the real PVR");
        CasResult r = m.cas(GuestOv5.linuxVector(0x40));
        assertEquals(0xf000005L, r.compatPvr());
        assertTrue(r.explicitMatch());
        assertEquals(0xf000005L, m.deviceTree().find("cpus/PowerPC,POWER9@1").cells("cpu-version")[0]);
        m.reset();
        assertEquals(0x4e1200, m.deviceTree().find("cpus/PowerPC,POWER9@0").cells("cpu-version")[0], "reset drops the compat mode");
    }

    @Test
    void compatSelectionTakesTheBestLevelThePower9RunsAndStopsAtTheTerminator() {
        PvrList onlyLogical = new PvrList(List.of(new PvrList.Entry(0xffffffffL, 0x0f000003L),
            new PvrList.Entry(0xffffffffL, 0x0f000006L), new PvrList.Entry(0xffffffffL, 0x0f000004L)));
        assertEquals(new PvrList.Choice(false, 0x0f000004L), onlyLogical.select(PvrList.POWER9_PVR), "3.1 is past POWER9");
        PvrList terminated = new PvrList(List.of(new PvrList.Entry(0xfffffffeL, 0x0f000001L),
            new PvrList.Entry(0xffffffffL, 0x0f000005L)));
        assertEquals(new PvrList.Choice(false, 0), terminated.select(PvrList.POWER9_PVR));
        PvrList raw = new PvrList(List.of(new PvrList.Entry(0xffff0000L, 0x004e0000L)));
        assertEquals(new PvrList.Choice(true, 0), raw.select(PvrList.POWER9_PVR));
    }

    @Test
    void rawModeKeepsTheRealPvrAndNoMatchRefusesCasWithHHardware() {
        Machine m = machine(1);
        PvrList raw = new PvrList(List.of(new PvrList.Entry(0xffff0000L, 0x004e0000L)));
        m.cas(PvrList.LINUX_6_1_OV1, raw, GuestOv5.linuxVector(0x00));
        assertEquals(0x4e1200, m.deviceTree().find("cpus/PowerPC,POWER9@0").cells("cpu-version")[0]);
        Machine n = machine(1);
        PvrList power8 = new PvrList(List.of(new PvrList.Entry(0xffff0000L, 0x004d0000L)));
        CasException e = assertThrows(CasException.class, () -> n.cas(PvrList.LINUX_6_1_OV1, power8, GuestOv5.linuxVector(0x00)));
        assertEquals("Couldn't negotiate a suitable PVR during CAS", e.getMessage());
        assertEquals(PaprRc.H_HARDWARE, e.rc());
        assertEquals(0, n.casNegotiation().negotiated().getByte(23), "nothing negotiated");
    }

    @Test
    void aGuestWithoutIsa300InVector1SeesNoRadixInPaFeatures() {
        Machine m = machine(1);
        m.cas(OptionVector.ofBytes(1, 0, 2, 0xff), PvrList.LINUX_6_1, GuestOv5.linuxVector(0x00));
        assertEquals(0x80000000L, m.deviceTree().find("cpus/PowerPC,POWER9@0").cells("ibm,pa-features")[10]);
        Machine l = machine(1);
        l.cas(GuestOv5.linuxVector(0x00));
        assertEquals(0x80008000L, l.deviceTree().find("cpus/PowerPC,POWER9@0").cells("ibm,pa-features")[10]);
    }

    @Test
    void form2NumaAfterCasIsQemusSingleNodeTables() {
        QemuDts q = QemuDts.load("dual_smp4_after_cas_xive.dts");
        Machine m = machine(4);
        m.cas(GuestOv5.linuxVector(0x40));
        DtNode t = m.deviceTree();
        DtNode rtas = t.child("rtas");
        for (String p : List.of("ibm,associativity-reference-points", "ibm,max-associativity-domains",
            "ibm,numa-lookup-index-table")) {
            assertArrayEquals(q.cells("/rtas", p), rtas.cells(p), p);
        }
        assertArrayEquals(new byte[] {0, 0, 0, 1, 10}, rtas.prop("ibm,numa-distance-table"));
        assertArrayEquals(q.cells("/memory@0", "ibm,associativity"), t.child("memory@0").cells("ibm,associativity"));
    }

    @Test
    void withoutForm2TheTreeKeepsForm1Values() {
        Machine m = machine(1);
        OptionVector ov5 = GuestOv5.linuxVector(0x00);
        ov5.clear(OptionVector.OV5_FORM2_AFFINITY);
        m.cas(ov5);
        assertArrayEquals(new long[] {4, 4, 2}, m.deviceTree().child("rtas").cells("ibm,associativity-reference-points"));
        assertNull(m.deviceTree().child("rtas").prop("ibm,numa-lookup-index-table"));
        assertArrayEquals(new long[] {4, 0, 0, 0, 0}, m.deviceTree().child("memory@0").cells("ibm,associativity"));
    }

    @Test
    void xVofAddsBootargsAndTheStdoutIhandleToChosen() {
        Machine plain = machine(1);
        assertFalse(plain.deviceTree().child("chosen").has("stdout"));
        Machine vof = FakeIntc.machine(MachineConfig.fromMap(Map.of("xVof", true)));
        DtNode chosen = vof.deviceTree().child("chosen");
        assertArrayEquals(new long[] {1}, chosen.cells("stdout"));
        assertArrayEquals(new byte[] {0}, chosen.prop("bootargs"));
        assertEquals(List.of("stdout", "bootargs"), chosen.props().keySet().stream().limit(2).toList(),
            "set after the tree was built, so first");
    }

    @Test
    void badPlatformOptionsNameTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> MachineConfig.fromMap(Map.of("esbLoads", "qemu-le")));
        assertTrue(e.getMessage().contains("esbLoads") && e.getMessage().contains("'papr'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MachineConfig.fromMap(Map.of("dtcClean", "yes")));
        assertTrue(e.getMessage().contains("dtcClean"), e.getMessage());
    }
}
