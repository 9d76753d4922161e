package io.pseries.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.xics.Icp;
import io.pseries.xics.SpaprXics;
import io.pseries.xics.XicsRules;

/**
 * B2's question asked of XICS: B3's {@code device} interrupt (MSI pulse, ICS trigger and ICP
 * present, {@code H_XIRR}, {@code H_EOI}), each op on a source drawn at random out of
 * {@code sources} claimed MSIs of a one-vCPU XICS machine of 2^20 interrupt numbers. Every source
 * is routed to server 0 at priority 5 with {@code ibm,set-xive} and enabled with
 * {@code ibm,int-on}. Each op takes the next number of a precomputed uniform random sequence of
 * 2^16 and checks that {@code H_XIRR} returns exactly it (old CPPR 0xFF) and that both hcalls
 * succeed; the tear-down checks no guest error and an idle ICP. For {@code benchmarks/growth.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class XicsRandomSourcesBench {
    static final int SEQUENCE = 1 << 16;
    static final int PRIO = 5;

    /** How many MSI numbers of the 2^20 are claimed and routed. */
    @Param({"8192", "1043712"})
    public int sources;

    Machine machine;
    VCpu cpu;
    Icp icp;
    final long[] regs = new long[HcallTable.NARGS];

    IrqLine[] lines;
    long[] xirrs;
    int next;
    long ops;
    long guestErrorsAtStart;

    @Setup(Level.Trial)
    public void setup() {
        machine = RandomSourcesBench.machine(sources, "xics");
        cpu = machine.cpu(0);
        icp = ((SpaprXics) machine.controller("xics")).icp();
        int server = icp.serverOf(0);
        for (int i = 0; i < sources; i++) {
            int irq = SpaprIrq.MSI + i;
            machine.claimIrq(irq, false, "growth");
            ok(machine.rtas(0, "ibm,set-xive", new int[] {irq, server, PRIO}, 1).status(), "ibm,set-xive");
            ok(machine.rtas(0, "ibm,int-on", new int[] {irq}, 1).status(), "ibm,int-on");
        }
        regs[0] = 0xFF;
        ok(machine.hcall(cpu, Hcalls.H_CPPR, regs), "H_CPPR(0xff)");
        SplittableRandom rnd = new SplittableRandom(2);
        lines = new IrqLine[SEQUENCE];
        xirrs = new long[SEQUENCE];
        for (int k = 0; k < SEQUENCE; k++) {
            int irq = SpaprIrq.MSI + rnd.nextInt(sources);
            lines[k] = machine.irq(irq);
            xirrs[k] = 0xFF00_0000L | irq;
        }
        ops = 0;
        guestErrorsAtStart = machine.trace().guestErrorCount();
    }

    private static void ok(long rc, String what) {
        if (rc != PaprRc.H_SUCCESS) {
            throw new IllegalStateException("growth set-up: " + what + " answered " + rc);
        }
    }

    @TearDown(Level.Trial)
    public void check() {
        long errs = machine.trace().guestErrorCount() - guestErrorsAtStart;
        if (errs != 0 || icp.xirr(0) != 0xFF00_0000 || icp.mfrr(0) != XicsRules.LOWEST || cpu.osInterrupt()) {
            throw new IllegalStateException(String.format("XICS random-source check failed after %d ops: %d guest errors, "
                + "XIRR 0x%08x, MFRR 0x%x, OS input %b", ops, errs, icp.xirr(0), icp.mfrr(0), cpu.osInterrupt()));
        }
    }

    /** One device interrupt on the next random source: pulse, H_XIRR (must name it), H_EOI. */
    @Benchmark
    public long device() {
        int k = next;
        next = (k + 1) & (SEQUENCE - 1);
        Machine m = machine;
        VCpu c = cpu;
        long[] r = regs;
        lines[k].pulse();
        long rc = m.hcall(c, Hcalls.H_XIRR, r);
        long xirr = r[0];
        if (xirr != xirrs[k]) {
            throw new IllegalStateException("H_XIRR: got 0x" + Long.toHexString(xirr) + ", want 0x" + Long.toHexString(xirrs[k]));
        }
        rc |= m.hcall(c, Hcalls.H_EOI, r);
        if (rc != PaprRc.H_SUCCESS) {
            throw new IllegalStateException("H_XIRR/H_EOI rc " + rc);
        }
        ops++;
        return xirr;
    }
}
