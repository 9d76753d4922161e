package io.pseries.core.cpu;

import static io.pseries.core.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.pseries.core.FakeIntc;
import io.pseries.core.Machine;
import io.pseries.core.boot.TinyElf;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.isa.Cpu;
import io.pseries.core.isa.Msr;
import io.pseries.core.rtas.RtasTable;

/** vCPUs as threads of guest code on the scheduler: start-cpu, power-off, timeouts, determinism. */
class CpuThreadsTest {
    private static final int LOOP = b(0, 0, 0); // b .

    private static Machine withProgram(int cpus, int... boot) {
        Machine m = FakeIntc.machine(cpus, "xics");
        m.loadElf(TinyElf.build(false, 21, 0, boot, 0));
        return m;
    }

    @Test
    void startCpuStartsASecondaryAtItsEntryWithMsrSfMeAndR3AsQemuDoes() {
        Machine m = withProgram(2, LOOP);
        m.memory().write32(0x50_0000, x(6, 0, 0, 83, 0)); // mfmsr r6
        m.memory().write32(0x50_0004, mfspr(7, 1023)); // mfspr r7,PIR: 0 on every vCPU, as on QEMU
        m.memory().write32(0x50_0008, LOOP);
        assertEquals(0, m.rtas(0, "start-cpu", new int[] {1, 0x50_0000, 0x77}, 1).status());
        m.run(10_000);
        Cpu c1 = m.interpreter(1);
        assertEquals(Msr.SF | Msr.ME, c1.gpr(6));
        assertEquals(0, c1.gpr(7));
        assertEquals(0x77, c1.gpr(3));
        assertEquals(0x50_0008L, c1.pc());
        assertNull(m.interpreter(0).stopped(), "the boot CPU keeps running");
        assertEquals(2, m.rtas(0, "query-cpu-stopped-state", new int[] {1}, 2).rets()[0]);
    }

    @Test
    void powerOffThroughKvmppcHRtasHaltsEveryVcpuAtTheCall() {
        // ori r3,r0,0xF000 (KVMPPC_H_RTAS); ori r4,r0,0x9000; sc 1; b .
        Machine m = withProgram(1, d(24, 0, 3, Hcalls.KVMPPC_H_RTAS), d(24, 0, 4, 0x9000), SC1, LOOP);
        m.memory().write32(0x9000, RtasTable.qemuToken("power-off"));
        m.memory().write32(0x9004, 2);
        m.memory().write32(0x9008, 1);
        CpuThreads.Outcome o = m.runGuest(1_000_000_000L);
        assertEquals(CpuThreads.Ending.HALTED, o.ending());
        assertEquals("power-off", o.message());
        assertEquals(0x40_000CL, m.interpreter(0).pc(), "stopped right after the sc");
        assertEquals(3, m.interpreter(0).retired());
    }

    @Test
    void aTimeoutEndsTheRunAtTheVirtualTimeLimit() {
        Machine m = withProgram(1, LOOP);
        long t0 = m.now();
        CpuThreads.Outcome o = m.runGuest(50_000);
        assertEquals(CpuThreads.Ending.TIMEOUT, o.ending());
        assertEquals(t0 + 50_000, m.now());
        assertEquals(50_000 / CpuThreads.NS_PER_INSTRUCTION, m.interpreter(0).retired());
    }

    @Test
    void sameMachineAndPayloadGiveTheSameRun() {
        long[] r = new long[4];
        for (int k = 0; k < 2; k++) {
            // cpu 0: count and read the timebase; cpu 1: count by 3
            Machine m = withProgram(2, addi(4, 4, 1), x(5, 12, 8, 371, 0), b(-8, 0, 0));
            m.memory().write32(0x50_0000, addi(4, 4, 3));
            m.memory().write32(0x50_0004, b(-4, 0, 0));
            m.rtas(0, "start-cpu", new int[] {1, 0x50_0000, 0}, 1);
            m.run(123_457);
            r[2 * k] = m.interpreter(0).gpr(4) * 31 + m.interpreter(0).gpr(5);
            r[2 * k + 1] = m.interpreter(1).gpr(4);
        }
        assertEquals(r[0], r[2]);
        assertEquals(r[1], r[3]);
    }

    @Test
    void theGuestModelsMachineNeverRunsGuestCode() {
        Machine m = FakeIntc.machine(2, "xics");
        assertEquals(0, m.rtas(0, "start-cpu", new int[] {1, 0x50_0000, 0}, 1).status());
        m.run(10_000);
        assertEquals(0, m.interpreter(1).retired());
    }

    @Test
    void hSetModeLeSetsIleOnEveryVcpuAndChecksItsArguments() {
        Machine m = FakeIntc.machine(2, "xics");
        assertEquals(0, m.hcall(0, CpuThreads.H_SET_MODE, 1, 4, 0, 0).rc());
        assertEquals(true, m.interpreter(0).interruptLittleEndian());
        assertEquals(true, m.interpreter(1).interruptLittleEndian());
        assertEquals(0, m.hcall(0, CpuThreads.H_SET_MODE, 0, 4, 0, 0).rc());
        assertEquals(false, m.interpreter(1).interruptLittleEndian());
        assertEquals(io.pseries.core.hcall.PaprRc.H_UNSUPPORTED_FLAG, m.hcall(0, CpuThreads.H_SET_MODE, 2, 4, 0, 0).rc());
        assertEquals(io.pseries.core.hcall.PaprRc.H_P3, m.hcall(0, CpuThreads.H_SET_MODE, 1, 4, 5, 0).rc());
        assertEquals(io.pseries.core.hcall.PaprRc.H_P4, m.hcall(0, CpuThreads.H_SET_MODE, 1, 4, 0, 5).rc());
        assertEquals(io.pseries.core.hcall.PaprRc.H_P2, m.hcall(0, CpuThreads.H_SET_MODE, 0, 9, 0, 0).rc());
        assertEquals(io.pseries.core.hcall.PaprRc.H_UNSUPPORTED_FLAG, m.hcall(0, CpuThreads.H_SET_MODE, 1, 3, 0, 0).rc(),
            "AIL = 1 is reserved");
    }
}
