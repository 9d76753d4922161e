package io.pseries.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
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
import io.pseries.core.rtas.RtasResult;
import io.pseries.xics.Icp;
import io.pseries.xics.Ics;
import io.pseries.xics.SpaprXics;
import io.pseries.xics.XicsRules;

/**
 * B3 of {@code shared/design/performance.md}: XICS end to end.
 *
 * <p>The machine has one vCPU and {@code icMode("xics")}, so XICS is the only controller and is
 * active from the start. The console's MSI 0x1100 is routed to server 0 at priority 5 with the
 * RTAS calls {@code ibm,set-xive(0x1100, 0, 5)} and {@code ibm,int-on(0x1100)}, and the CPPR is
 * opened with {@code H_CPPR(0xFF)}, as Linux does at boot. Every hcall goes through the
 * allocation-free guest ABI {@link Machine#hcall(VCpu, long, long[])}, with one {@code long[]}
 * reused for R4.. in and out.
 *
 * <p><b>One benchmark op is one interrupt, end to end.</b> There are two variants, measured side by
 * side in the same run:
 * <ul>
 *   <li>{@link #device}: a device interrupt.
 *     <ol>
 *       <li>{@code m.irq(0x1100).pulse()}: the rising edge reaches the ICS (MSI, priority 5), and
 *           the ICP presents it (XISR 0x1100, pending 5) and raises the vCPU's OS interrupt input.
 *           The falling edge is ignored, as it is for an MSI.</li>
 *       <li>{@code H_XIRR}: the accept. It returns XIRR 0xFF001100 (the old CPPR 0xFF, XISR 0x1100).
 *           CPPR becomes 5 and the input drops.</li>
 *       <li>{@code H_EOI(xirr)}: CPPR goes back to 0xFF, the ICS EOI runs (a no-op for an MSI), and
 *           the resend runs because XISR is empty.</li>
 *     </ol></li>
 *   <li>{@link #selfIpi}: the XICS self-IPI loop that performance.md times on QEMU 7.2 TCG (about
 *       165 k/s, that is about 6061 ns per interrupt). The steps are {@code H_IPI(0, 4)} (MFRR 4, so
 *       XISR 2 is presented), {@code H_XIRR} (returns 0xFF000002), {@code H_IPI(0, 0xFF)} (MFRR
 *       back to "none") and {@code H_EOI(xirr)}. performance.md asks for at least 40 times QEMU's
 *       rate, that is at most about 152 ns per interrupt.</li>
 * </ul>
 *
 * <p>Every op checks its own results cheaply, so a broken path cannot look fast. Every hcall
 * must return H_SUCCESS, and the XIRR that H_XIRR returns must be exactly the expected value.
 * In {@link #device} the vCPU's OS input must also be up after the pulse. At trial tear-down
 * the benchmark checks several things: no guest error was reported, the ICP is back at XIRR
 * 0xFF000000 with MFRR 0xFF and nothing pending, the vCPU's input is low, source 0x1100 has a
 * clean status (not REJECTED or MASKED_PENDING), and in {@code device} the line saw exactly one
 * rising edge per op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class XicsEndToEndBench {
    /** The console's MSI (QEMU's first VIO interrupt number). */
    static final int VTY = 0x1100;
    /** The priority the device interrupt is routed at. */
    static final int PRIO = 5;
    /** The MFRR the self-IPI is sent with. */
    static final int IPI_PRIO = 4;
    /** H_XIRR's R4 for the device interrupt: the old CPPR 0xFF, XISR 0x1100. */
    static final long XIRR_DEVICE = 0xFF00_0000L | VTY;
    /** H_XIRR's R4 for the self-IPI: the old CPPR 0xFF, XISR 2. */
    static final long XIRR_IPI = 0xFF00_0000L | XicsRules.IPI;
    /** The ICP at rest: CPPR 0xFF, XISR empty. */
    static final int XIRR_IDLE = 0xFF00_0000;

    Machine machine;
    VCpu cpu;
    SpaprXics xics;
    Icp icp;
    Ics ics;
    IrqLine line;
    /** R4.. for every hcall, reused (the allocation-free path). */
    final long[] regs = new long[HcallTable.NARGS];

    long deviceOps;
    long ipiOps;
    long raisesAtStart;
    long guestErrorsAtStart;

    @Setup(Level.Trial)
    public void setup() {
        machine = Machine.create(MachineConfig.builder().cpus(1).icMode("xics").build());
        cpu = machine.cpu(0);
        xics = (SpaprXics) machine.controller("xics");
        icp = xics.icp();
        ics = xics.ics();
        if (!"xics".equals(machine.icMode())) {
            throw new IllegalStateException("active controller is " + machine.icMode() + ", not xics");
        }
        rtasOk(machine.rtas(0, "ibm,set-xive", new int[] {VTY, 0, PRIO}, 1), "ibm,set-xive");
        rtasOk(machine.rtas(0, "ibm,int-on", new int[] {VTY}, 1), "ibm,int-on");
        regs[0] = 0xFF;
        hcallOk(machine.hcall(cpu, Hcalls.H_CPPR, regs), "H_CPPR(0xff)");
        if (ics.server(VTY - Ics.OFFSET) != 0 || ics.priority(VTY - Ics.OFFSET) != PRIO || ics.isLsi(VTY - Ics.OFFSET)
            || icp.xirr(0) != XIRR_IDLE) {
            throw new IllegalStateException(String.format("not armed: 0x%x server %d priority 0x%x lsi %b, XIRR 0x%08x",
                VTY, ics.server(VTY - Ics.OFFSET), ics.priority(VTY - Ics.OFFSET), ics.isLsi(VTY - Ics.OFFSET), icp.xirr(0)));
        }
        line = machine.irq(VTY);
        deviceOps = 0;
        ipiOps = 0;
        raisesAtStart = line.raiseCount();
        guestErrorsAtStart = machine.trace().guestErrorCount();
    }

    private static void rtasOk(RtasResult r, String what) {
        if (r.status() != 0) {
            throw new IllegalStateException(what + " failed: status " + r.status());
        }
    }

    private static void hcallOk(long rc, String what) {
        if (rc != PaprRc.H_SUCCESS) {
            throw new IllegalStateException(what + " failed: rc " + rc + " (" + PaprRc.name(rc) + ")");
        }
    }

    @TearDown(Level.Trial)
    public void check() {
        long errs = machine.trace().guestErrorCount() - guestErrorsAtStart;
        long raises = line.raiseCount() - raisesAtStart;
        int st = ics.status(VTY - Ics.OFFSET);
        if (errs != 0 || raises != deviceOps) {
            throw new IllegalStateException("B3 check failed: " + deviceOps + " device ops, " + ipiOps + " IPI ops, "
                + raises + " rising edges on 0x1100, " + errs + " guest errors");
        }
        if (icp.xirr(0) != XIRR_IDLE || icp.mfrr(0) != XicsRules.LOWEST || icp.pending(0) != XicsRules.LOWEST
            || cpu.osInterrupt() || line.level() || (st & (Ics.STATUS_REJECTED | Ics.STATUS_MASKED_PENDING)) != 0) {
            throw new IllegalStateException(String.format(
                "B3 left state behind: XIRR 0x%08x MFRR 0x%x pending 0x%x, OS input %b, line %b, 0x%x status 0x%x",
                icp.xirr(0), icp.mfrr(0), icp.pending(0), cpu.osInterrupt(), line.level(), VTY, st));
        }
    }

    private static void fail(String what, long got, long want) {
        throw new IllegalStateException(what + ": got 0x" + Long.toHexString(got) + ", want 0x" + Long.toHexString(want));
    }

    /** One device interrupt: ICS trigger and ICP present, H_XIRR, H_EOI. */
    @Benchmark
    public long device() {
        Machine m = machine;
        VCpu c = cpu;
        long[] r = regs;
        line.pulse();
        if (!c.osInterrupt()) {
            fail("OS interrupt input after the pulse", 0, 1);
        }
        long rc = m.hcall(c, Hcalls.H_XIRR, r);
        long xirr = r[0];
        if (xirr != XIRR_DEVICE) {
            fail("H_XIRR", xirr, XIRR_DEVICE);
        }
        rc |= m.hcall(c, Hcalls.H_EOI, r);
        if (rc != PaprRc.H_SUCCESS) {
            fail("H_XIRR/H_EOI rc", rc, PaprRc.H_SUCCESS);
        }
        deviceOps++;
        return xirr;
    }

    /** One self-IPI as the QEMU comparison loop: H_IPI(0, 4), H_XIRR, H_IPI(0, 0xFF), H_EOI. */
    @Benchmark
    public long selfIpi() {
        Machine m = machine;
        VCpu c = cpu;
        long[] r = regs;
        r[0] = 0;
        r[1] = IPI_PRIO;
        long rc = m.hcall(c, Hcalls.H_IPI, r);
        rc |= m.hcall(c, Hcalls.H_XIRR, r);
        long xirr = r[0];
        if (xirr != XIRR_IPI) {
            fail("H_XIRR", xirr, XIRR_IPI);
        }
        r[0] = 0;
        r[1] = XicsRules.LOWEST;
        rc |= m.hcall(c, Hcalls.H_IPI, r);
        r[0] = xirr;
        rc |= m.hcall(c, Hcalls.H_EOI, r);
        if (rc != PaprRc.H_SUCCESS) {
            fail("H_IPI/H_XIRR/H_EOI rc", rc, PaprRc.H_SUCCESS);
        }
        ipiOps++;
        return xirr;
    }
}
