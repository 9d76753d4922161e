package io.pseries.core.isa;

import static io.pseries.core.isa.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Interrupt, MSR and supervisor rules (POWER ISA 3.0 Book III, 4.3-4.4 and 6). */
class InterruptTest {
    private static final long CODE = CpuFixture.CODE;
    private static final long CAUSE = 0x783F_0000L;

    @Test
    void illegalInstructionRaisesProgramInterruptWithTheIllegalBitAndSrr0AtIt() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.EE).run(NOP, 0);
        assertEquals(Vector.PROGRAM.offset, f.cpu.pc());
        assertEquals(CODE + 4, f.cpu.srr0(), "SRR0 is the illegal instruction itself");
        assertEquals(Msr.SF | Msr.EE | Vector.SRR1_PROGRAM_ILLEGAL, f.cpu.srr1());
        assertEquals(Msr.SF, f.cpu.msr(), "EE cleared, SF set");
    }

    @Test
    void trapRaisesProgramInterruptWithTheTrapBitOnlyWhenTheConditionHolds() {
        CpuFixture f = new CpuFixture().set(4, 5).run(d(2, 4, 4, 5)); // tdi eq,r4,5
        assertEquals(Vector.PROGRAM.offset, f.cpu.pc());
        assertEquals(Vector.SRR1_PROGRAM_TRAP, f.cpu.srr1() & CAUSE);
        assertEquals(CODE, f.cpu.srr0());
        f = new CpuFixture().set(4, 5).run(d(2, 4, 4, 6), x(16, 4, 4, 4, 0)); // tdi eq,r4,6; tw lt,r4,r4
        assertEquals(CODE + 8, f.cpu.pc(), "neither condition holds");
        f = new CpuFixture().set(4, 0xFFFF_FFFFL).run(d(3, 16, 4, 0)); // twi lt,r4,0: the word is -1
        assertEquals(Vector.PROGRAM.offset, f.cpu.pc(), "twi compares the low word as signed");
    }

    @Test
    void privilegedInstructionInProblemStateSetsThePrivilegedBit() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.PR | Msr.EE).run(x(3, 0, 0, 83, 0)); // mfmsr
        assertEquals(Vector.PROGRAM.offset, f.cpu.pc());
        assertEquals(Vector.SRR1_PROGRAM_PRIVILEGED, f.cpu.srr1() & CAUSE);
        assertEquals(Msr.SF | Msr.PR | Msr.EE, f.cpu.srr1() & ~CAUSE);
        f = new CpuFixture(Msr.SF | Msr.PR | Msr.EE).run(mfspr(3, 272));
        assertEquals(Vector.SRR1_PROGRAM_PRIVILEGED, f.cpu.srr1() & CAUSE, "SPRG0 is privileged");
        f = new CpuFixture(Msr.SF | Msr.PR | Msr.EE).run(mfspr(3, 8));
        assertEquals(CODE + 4, f.cpu.pc(), "mflr is not");
    }

    @Test
    void sc1IsAHypercallThatReturnsToTheNextInstruction() {
        CpuFixture f = new CpuFixture().set(3, 0x58).set(4, 0x7100_0000L).set(5, 1).set(12, 99).run(SC1);
        assertEquals(1, f.bus.hcalls.size());
        assertArrayEquals(new long[] {0x58, 0x7100_0000L, 1, 0, 0, 0, 0, 0, 0, 99}, f.bus.hcalls.get(0));
        assertEquals(0, f.r(3), "R3 = the hcall's return code");
        assertEquals(0x1111, f.r(4), "outputs in R4..");
        assertEquals(99, f.r(12), "registers the hcall did not write keep their value");
        assertEquals(CODE + 4, f.cpu.pc());
    }

    @Test
    void sc1FromProblemStateAnswersHPrivilege() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.PR | Msr.EE).set(3, 0x58).run(SC1);
        assertEquals(-3, f.r(3));
        assertEquals(0, f.bus.hcalls.size());
    }

    @Test
    void sc0IsTheSystemCallInterruptWithSrr0AfterTheSc() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.EE | Msr.PR).run(SC0);
        assertEquals(Vector.SYSTEM_CALL.offset, f.cpu.pc());
        assertEquals(CODE + 4, f.cpu.srr0());
        assertEquals(Msr.SF | Msr.EE | Msr.PR, f.cpu.srr1());
        assertEquals(Msr.SF, f.cpu.msr(), "supervisor state, EE off");
    }

    @Test
    void interruptsEnterLittleEndianWhenIleIsSet() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.LE);
        f.cpu.setInterruptLittleEndian(true);
        f.run(SC0);
        assertEquals(Msr.SF | Msr.LE, f.cpu.msr());
    }

    @Test
    void rfidRestoresMsrButKeepsMeAndHvWithoutHypervisorState() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.ME).set(4, 0x2000).set(5, Msr.LE | Msr.HV | Msr.EE)
            .run(mtspr(26, 4), mtspr(27, 5), RFID);
        assertEquals(0x2000L, f.cpu.pc());
        assertEquals(Msr.ME | Msr.LE | Msr.EE, f.cpu.msr(), "32-bit mode, LE, EE from SRR1; ME kept; HV not set");
    }

    @Test
    void rfidToProblemStateForcesEeOnAndTruncatesTheAddressIn32BitMode() {
        CpuFixture f = new CpuFixture(Msr.SF).set(4, 0x1_0000_2003L).set(5, Msr.PR);
        f.load(CODE, mtspr(26, 4), mtspr(27, 5), RFID);
        f.cpu.setPc(CODE);
        f.cpu.run(3);
        assertEquals(0x2000L, f.cpu.pc(), "low word, low 2 bits cleared");
        assertTrue((f.cpu.msr() & Msr.EE) != 0, "PR = 1 forces EE");
        // and IR/DR forced on stops the CPU: relocation is not modelled
        assertEquals(Stop.Kind.RELOCATION, f.cpu.stopped().kind());
    }

    @Test
    void mtmsrdLeavesLeAloneAndItsL1FormChangesOnlyEeAndRi() {
        CpuFixture f = new CpuFixture(Msr.SF).set(4, Msr.SF | Msr.LE | Msr.EE).run(x(4, 0, 0, 178, 0));
        assertEquals(Msr.SF | Msr.EE, f.cpu.msr());
        f = new CpuFixture(Msr.SF).set(4, Msr.EE | Msr.RI | Msr.FP).run(x(4, 1, 0, 178, 0));
        assertEquals(Msr.SF | Msr.EE | Msr.RI, f.cpu.msr(), "L = 1: FP and SF untouched");
    }

    @Test
    void externalInterruptIsTakenOnlyWithEeAndPointsSrr0AtTheNextInstruction() {
        CpuFixture f = new CpuFixture(Msr.SF);
        f.bus.irq = true;
        f.run(NOP, NOP);
        assertEquals(CODE + 8, f.cpu.pc(), "EE = 0: not taken");
        f = new CpuFixture(Msr.SF).set(4, Msr.EE);
        f.bus.irq = true;
        f.load(CODE, NOP, x(4, 1, 0, 178, 0), NOP, NOP);
        f.cpu.setPc(CODE);
        f.cpu.run(3);
        assertEquals(Vector.EXTERNAL.offset + 4, f.cpu.pc(), "taken right after mtmsrd set EE, then the nop at 0x500");
        assertEquals(CODE + 8, f.cpu.srr0());
        assertEquals(Msr.SF | Msr.EE, f.cpu.srr1());
    }

    @Test
    void decrementerInterruptWhenDecGoesNegativeWithEe() {
        CpuFixture f = new CpuFixture(Msr.SF | Msr.EE).set(4, 10);
        int[] prog = new int[64];
        prog[0] = mtspr(22, 4);
        for (int i = 1; i < prog.length; i++) {
            prog[i] = NOP;
        }
        java.util.List<long[]> taken = new java.util.ArrayList<>();
        f.cpu.addObserver(new CpuObserver() {
            @Override
            public void exception(Cpu cpu, Vector v, long srr0, long srr1) {
                taken.add(new long[] {v.offset, srr0, srr1});
            }
        });
        f.load(CODE, prog);
        f.cpu.setPc(CODE);
        f.cpu.run(30);
        assertTrue(!taken.isEmpty(), "the decrementer interrupt was taken");
        assertEquals(Vector.DECREMENTER.offset, taken.get(0)[0]);
        // 11 ticks (to -1) at 512 MHz are 21.5 ns: with 1 ns per instruction, 22 instructions after mtdec
        assertEquals(CODE + 4 * 22, taken.get(0)[1], "SRR0: the next instruction to run");
        assertEquals(Msr.SF | Msr.EE, taken.get(0)[2]);
    }

    @Test
    void timebaseCountsAt512MHzOfTheCpusVirtualTime() {
        CpuFixture f = new CpuFixture();
        f.bus.now = 1_000_000; // 1 ms
        int[] prog = new int[126];
        prog[0] = x(3, 12, 8, 371, 0) | 0; // mftb r3
        for (int i = 1; i < 125; i++) {
            prog[i] = NOP;
        }
        prog[125] = mfspr(4, 268);
        f.run(prog);
        long tb0 = f.r(3);
        long tb1 = f.r(4);
        assertEquals(512_000, tb0, "1 ms of virtual time");
        assertEquals(64, tb1 - tb0, "125 instructions at 1 ns each are 64 ticks");
    }

    @Test
    void interruptWithoutAHandlerStopsTheCpuAndNamesTheCause() {
        CpuFixture f = new CpuFixture();
        f.bus.ram.write32(Vector.PROGRAM.offset, 0);
        f.run(NOP, 0x7C00_07FE);
        Stop s = f.cpu.stopped();
        assertEquals(Stop.Kind.ILLEGAL_INSTRUCTION, s.kind());
        assertEquals("illegal instruction 0x7c0007fe at 0x1004", s.message());
        CpuFixture ok = new CpuFixture().run(NOP);
        assertNull(ok.cpu.stopped());
    }

    @Test
    void sprsReadBackAndPirReadsZeroAsOnQemusPseries() {
        CpuFixture f = new CpuFixture().set(4, 0xABCD)
            .run(mtspr(273, 4), mfspr(5, 273), mfspr(6, 1023), mfspr(7, 287), mtspr(1, 4), mfspr(8, 1));
        assertEquals(0xABCD, f.r(5), "SPRG1");
        assertEquals(0, f.r(6), "QEMU leaves PIR at 0 on every pseries vCPU");
        assertEquals(Cpu.PVR_POWER9, f.r(7));
        assertEquals(0xABCD & 0x7F, f.r(8), "XER keeps its defined bits only");
    }
}
