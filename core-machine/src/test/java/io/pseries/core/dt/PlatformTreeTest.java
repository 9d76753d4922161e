package io.pseries.core.dt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;

/**
 * The platform device tree ({@link PlatformTree}): the platform-support cells per ic-mode, the
 * controller node and reserved priorities after a switch, the cpu nodes' server numbers, device
 * interrupt specifiers, determinism for a seed.
 */
class PlatformTreeTest {
    private final Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).build());

    @Test
    void platformSupportCellsPerIcMode() {
        // qemu-observed: <0x17XX18c0 0x19001a40>, XX = 00 xics, 40 xive, 80 dual
        assertArrayEquals(new long[] {0x178018c0L, 0x19001a40L}, platformSupport(FakeIntc.machine(1, "dual")));
        assertArrayEquals(new long[] {0x174018c0L, 0x19001a40L}, platformSupport(FakeIntc.machine(1, "xive")));
        assertArrayEquals(new long[] {0x170018c0L, 0x19001a40L}, platformSupport(FakeIntc.machine(1, "xics")));
    }

    private static long[] platformSupport(Machine m) {
        return m.deviceTree().child("chosen").cells("ibm,arch-vec-5-platform-support");
    }

    @Test
    void afterSwitchingTheTreeHasTheXiveNodeAndReservedPriorities() {
        DtNode before = m.deviceTree();
        assertNotNull(before.child("interrupt-controller"));
        assertFalse(before.has("ibm,plat-res-int-priorities"));
        m.cas(GuestOv5.linuxVector(0x40));
        DtNode after = m.deviceTree();
        assertNull(after.child("interrupt-controller"));
        assertNotNull(after.child("interrupt-controller@60302031b0000"));
        // facts 10.1: <hv_prio, 0xff - hv_prio> = <7, 0xf8>
        assertArrayEquals(new long[] {7, 0xf8}, after.cells("ibm,plat-res-int-priorities"));
    }

    @Test
    void cpuNodesCarryTheirInterruptServerNumbers() {
        DtNode cpus = FakeIntc.machine(4, "dual").deviceTree().child("cpus");
        for (int i = 0; i < 4; i++) {
            DtNode c = cpus.child("PowerPC,POWER9@" + i);
            assertNotNull(c, "cpu " + i);
            assertArrayEquals(new long[] {i}, c.cells("ibm,ppc-interrupt-server#s"));
            assertArrayEquals(new long[] {i, 0}, c.cells("ibm,ppc-interrupt-gserver#s"));
            assertArrayEquals(new long[] {i}, c.cells("reg"));
        }
    }

    @Test
    void deviceInterruptsAppearAsEdgeSpecifiers() {
        DtNode t = FakeIntc.machine(MachineConfig.builder().device("spapr-vlan", Map.of()).build()).deviceTree();
        assertArrayEquals(new long[] {0x1100, 0}, t.find("vdevice/vty@71000000").cells("interrupts"));
        assertArrayEquals(new long[] {0x1101, 0}, t.find("vdevice/nvram@71000001").cells("interrupts"));
        assertArrayEquals(new long[] {0x1102, 0}, t.find("vdevice/l-lan@71000002").cells("interrupts"));
        assertArrayEquals(new long[] {0x1000, 1, 0x1001, 1}, t.child("event-sources").cells("interrupt-ranges"));
        assertArrayEquals(new long[] {0x1000, 0}, t.find("event-sources/epow-events").cells("interrupts"));
        assertArrayEquals(new long[] {0x1001, 0}, t.find("event-sources/hot-plug-events").cells("interrupts"));
        assertEquals(List.of("/vdevice/vty@71000000"), t.child("chosen").strings("stdout-path"));
    }

    @Test
    void theTreeIsDeterministicForASeed() {
        MachineConfig c = MachineConfig.builder().cpus(2).seed(7).build();
        assertArrayEquals(FakeIntc.machine(c).fdt(), FakeIntc.machine(c).fdt());
        MachineConfig d = MachineConfig.builder().cpus(2).seed(8).build();
        assertFalse(java.util.Arrays.equals(FakeIntc.machine(c).fdt(), FakeIntc.machine(d).fdt()), "rng-seed follows the seed");
    }

    // ------------------------------------------------------------------ cores, threads, VSMT (spapr_dt_cpus)

    @Nested
    class SmtCores {
        /** 4 vCPUs, 2 threads per core, VSMT 4: cores at ids 0 and 4, vCPU ids 0, 1, 4, 5. */
        private final Machine smt = FakeIntc.machine(MachineConfig.builder().cpus(4).threads(2).vsmt(4).build());
        private final DtNode cpus = smt.deviceTree().child("cpus");

        @Test
        void oneCpuNodePerCoreNamedByItsFirstThreadsId() {
            assertEquals(List.of("PowerPC,POWER9@0", "PowerPC,POWER9@4"), cpus.children().stream().map(DtNode::name).toList());
        }

        @Test
        void interruptServersListEveryThreadOfTheCore() {
            DtNode core1 = cpus.child("PowerPC,POWER9@4");
            assertArrayEquals(new long[] {4, 5}, core1.cells("ibm,ppc-interrupt-server#s"));
            assertArrayEquals(new long[] {4, 0, 5, 0}, core1.cells("ibm,ppc-interrupt-gserver#s"));
            assertArrayEquals(new long[] {0, 1}, cpus.child("PowerPC,POWER9@0").cells("ibm,ppc-interrupt-server#s"));
        }

        @Test
        void regAndDrcIndexAreTheCoresId() {
            DtNode core1 = cpus.child("PowerPC,POWER9@4");
            assertArrayEquals(new long[] {4}, core1.cells("reg"));
            assertArrayEquals(new long[] {0x10000004L}, core1.cells("ibm,my-drc-index"));
        }

        @Test
        void lrdrCapacityCountsCores() {
            // spapr_dt_rtas: max_cpus / threads
            assertEquals(2, smt.deviceTree().child("rtas").cells("ibm,lrdr-capacity")[4]);
        }

        @Test
        void theControllerNodeCoversEveryServerNumber() {
            // spapr_max_server_number = ceil(4 * 4 / 2) = 8, although the highest vCPU id is 5
            assertArrayEquals(new long[] {0, 8}, smt.deviceTree().child("interrupt-controller").cells("ibm,interrupt-server-ranges"));
            smt.cas(GuestOv5.linuxVector(0x40));
            assertArrayEquals(new long[] {0, 8}, smt.deviceTree().find("interrupt-controller@60302031b0000")
                .cells("ibm,xive-lisn-ranges"));
        }
    }
}
