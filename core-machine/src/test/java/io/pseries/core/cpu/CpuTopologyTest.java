package io.pseries.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;

/**
 * vCPU numbering as QEMU's pseries does it for {@code -smp N,threads=T} and {@code vsmt=V}
 * (hw/ppc/spapr.c spapr_vcpu_id, spapr_max_server_number; xive-facts.md 8.3).
 */
class CpuTopologyTest {

    private static int[] ids(CpuTopology t) {
        return IntStream.range(0, t.cpus()).map(t::vcpuId).toArray();
    }

    @Test
    void oneThreadPerCoreNumbersVcpusByIndex() {
        CpuTopology t = new CpuTopology(4, 1, 1);
        assertArrayEquals(new int[] {0, 1, 2, 3}, ids(t));
        assertEquals(4, t.nrServers());
        assertEquals(4, t.cores());
    }

    @Test
    void threadsOfACoreHaveConsecutiveIdsWhenVsmtEqualsThreads() {
        CpuTopology t = new CpuTopology(8, 4, 4);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, ids(t));
        assertEquals(8, t.nrServers());
        assertEquals(2, t.cores());
    }

    @Test
    void vsmtSpacesTheCoresIds() {
        // vcpu_id = (cpu_index / threads) * vsmt + cpu_index % threads
        CpuTopology t = new CpuTopology(8, 2, 8);
        assertArrayEquals(new int[] {0, 1, 8, 9, 16, 17, 24, 25}, ids(t));
    }

    @Test
    void serverCountIsCpusTimesVsmtOverThreadsRoundedUp() {
        // DIV_ROUND_UP(max_cpus * vsmt, threads): the last core's unused ids count too
        assertEquals(32, new CpuTopology(8, 2, 8).nrServers());
        assertEquals(24, new CpuTopology(3, 1, 8).nrServers());
        assertEquals(16, new CpuTopology(8, 4, 8).nrServers());
    }

    @Test
    void thread0OfEachCoreHasAnIdThatIsAMultipleOfVsmt() {
        CpuTopology t = new CpuTopology(8, 2, 4);
        int[] firsts = IntStream.range(0, 8).filter(i -> t.isThread0(new VCpu(i, t.vcpuId(i)))).toArray();
        assertArrayEquals(new int[] {0, 2, 4, 6}, firsts);
    }

    @Test
    void theMachineFindsEachVcpuByItsIdAndNothingInTheGaps() {
        Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).threads(2).vsmt(4).build());
        int[] expected = {0, 1, 4, 5};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], m.cpu(i).vcpuId());
            assertSame(m.cpu(i), m.cpuByVcpuId(expected[i]));
        }
        assertNull(m.cpuByVcpuId(2));
        assertNull(m.cpuByVcpuId(3));
        assertNull(m.cpuByVcpuId(8));
        assertEquals(8, m.nrServers());
    }

    @Test
    void everyControllerIsToldTheVcpusInIndexOrder() {
        Machine m = FakeIntc.machine(MachineConfig.builder().cpus(4).threads(2).vsmt(4).build());
        assertEquals(java.util.List.of(0, 1, 2, 3), FakeIntc.of(m, "xive").cpus);
    }
}
