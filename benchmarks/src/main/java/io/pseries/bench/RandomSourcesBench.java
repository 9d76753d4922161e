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
import org.openjdk.jmh.infra.Blackhole;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.core.mem.GuestMemory;
import io.pseries.xive.SpaprXive;
import io.pseries.xive.ThreadContext;
import io.pseries.xive.Tima;
import io.pseries.xive.XiveSource;

/**
 * B2 of {@code shared/design/performance.md}: B1's interrupt, end to end, but each op on a
 * source drawn at random out of a large configured set (goal <= 100 ns per interrupt). The
 * machine has 2^20 interrupt numbers ({@code nrIrqs}; QEMU's 0x2000 stays the default) and one
 * vCPU in XIVE exploitation mode; {@code sources} MSI numbers from 0x1300 up are claimed and
 * routed (H_INT_SET_SOURCE_CONFIG, EISN = the LISN) to its priority-6 queue, and unmasked. Each
 * op takes the next LISN of a precomputed uniform random sequence of 2^16 entries and runs B1's
 * five steps on it: ESB trigger, TIMA ACK, EQ read (the entry must carry that LISN), ESB EOI
 * (SET_PQ_00 must return 10), CPPR 0xFF, as {@code internal} (the controllers' entry points) and
 * {@code mmio} (the guest ABI's loads and stores). The sequence spans the whole set, so the EAS,
 * the PQ bits and the ESB pages of the source an op touches are rarely in cache, which is the
 * cost this figure is about. The trial tear-down checks one event per op and no guest error.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RandomSourcesBench {
    /** B1's priority, queue size and expected ACK. */
    static final int PRIO = XiveEndToEndBench.PRIO;
    static final int QSHIFT = XiveEndToEndBench.QSHIFT;
    static final int ACK_EXPECTED = XiveEndToEndBench.ACK_EXPECTED;
    static final int SEQUENCE = 1 << 16;

    /** How many of the 2^20 numbers are claimed and routed: about 1 % and all of the MSI range. */
    @Param({"10486", "1043712"})
    public int sources;

    Machine machine;
    VCpu cpu;
    GuestMemory memory;
    SpaprXive xive;
    XiveSource source;
    ThreadContext tctx;
    long timaOs;

    int[] lisns;
    long[] triggerAddr;
    long[] eoiAddr;
    int next;

    long qpage;
    int qmask;
    int qidx;
    int qtoggle;

    long ops;
    long enqueuedAtStart;
    long guestErrorsAtStart;

    /** A 1-vCPU machine with 2^20 interrupt numbers, room for {@code sources} MSIs (B2's set-up, shared with XICS). */
    static Machine machine(int sources, String icMode) {
        int nr = 1 << 20;
        if (sources > nr - SpaprIrq.MSI) {
            throw new IllegalArgumentException("at most " + (nr - SpaprIrq.MSI) + " MSI numbers fit below 2^20");
        }
        return Machine.create(MachineConfig.builder().cpus(1).icMode(icMode).nrIrqs(nr).build());
    }

    @Setup(Level.Trial)
    public void setup() {
        machine = machine(sources, "xive");
        for (int i = 0; i < sources; i++) {
            machine.claimIrq(SpaprIrq.MSI + i, false, "b2");
        }
        machine.cas(GuestOv5.linuxVector(0x40));
        cpu = machine.cpu(0);
        memory = machine.memory();
        xive = (SpaprXive) machine.controller("xive");
        source = xive.source();
        tctx = xive.threadContext(0);
        timaOs = SpaprXive.TM_BASE + ((long) Tima.PAGE_OS << Tima.SHIFT);

        qpage = memory.alloc(1L << QSHIFT, 1L << QSHIFT);
        qmask = (1 << (QSHIFT - 2)) - 1;
        XiveEndToEndBench.ok(machine.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, 0, PRIO, qpage, QSHIFT), "H_INT_SET_QUEUE_CONFIG");
        for (int i = 0; i < sources; i++) {
            int lisn = SpaprIrq.MSI + i;
            XiveEndToEndBench.ok(machine.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, 0, PRIO, lisn), "H_INT_SET_SOURCE_CONFIG");
        }
        SplittableRandom rnd = new SplittableRandom(2);
        lisns = new int[SEQUENCE];
        triggerAddr = new long[SEQUENCE];
        eoiAddr = new long[SEQUENCE];
        for (int k = 0; k < SEQUENCE; k++) {
            int lisn = SpaprIrq.MSI + rnd.nextInt(sources);
            HcallResult info = machine.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, lisn);
            XiveEndToEndBench.ok(info, "H_INT_GET_SOURCE_INFO");
            lisns[k] = lisn;
            eoiAddr[k] = info.rets()[1];
            triggerAddr[k] = info.rets()[2];
        }
        for (int i = 0; i < sources; i++) {
            HcallResult info = machine.hcall(0, Hcalls.H_INT_GET_SOURCE_INFO, 0, SpaprIrq.MSI + i);
            machine.load(0, info.rets()[1] + XiveSource.ESB_SET_PQ_00, 8);     // 01 "off" -> 00
        }
        machine.store(0, timaOs + ThreadContext.QW1_OS + ThreadContext.CPPR, 1, 0xff);
        ops = 0;
        enqueuedAtStart = xive.router().enqueuedCount();
        guestErrorsAtStart = machine.trace().guestErrorCount();
    }


    @TearDown(Level.Trial)
    public void check() {
        long enq = xive.router().enqueuedCount() - enqueuedAtStart;
        long errs = machine.trace().guestErrorCount() - guestErrorsAtStart;
        if (enq != ops || errs != 0 || cpu.osInterrupt()) {
            throw new IllegalStateException("B2 check failed: " + ops + " ops, " + enq + " events enqueued, "
                + errs + " guest errors, OS line " + cpu.osInterrupt());
        }
    }

    private void readEq(int cur, int lisn, Blackhole bh) {
        if ((cur >>> 31) == qtoggle || (cur & 0x7fff_ffff) != lisn) {
            throw new IllegalStateException("EQ entry 0x" + Integer.toHexString(cur) + " at index " + qidx + ", want LISN 0x"
                + Integer.toHexString(lisn));
        }
        qidx = (qidx + 1) & qmask;
        if (qidx == 0) {
            qtoggle ^= 1;
        }
        bh.consume(cur);
    }


    @Benchmark
    public void internal(Blackhole bh) {
        int k = next;
        next = (k + 1) & (SEQUENCE - 1);
        int lisn = lisns[k];
        source.esbWrite(0, triggerAddr[k] - SpaprXive.VC_BASE);
        XiveEndToEndBench.check(tctx.accept(ThreadContext.QW1_OS), ACK_EXPECTED, "TIMA ACK");
        readEq(memory.read32(qpage + ((long) qidx << 2)), lisn, bh);
        XiveEndToEndBench.check(source.esbRead(0, eoiAddr[k] - SpaprXive.VC_BASE + XiveSource.ESB_SET_PQ_00), 0b10, "ESB EOI old PQ");
        tctx.setCppr(ThreadContext.QW1_OS, 0xff);
        ops++;
    }

    @Benchmark
    public void mmio(Blackhole bh) {
        int k = next;
        next = (k + 1) & (SEQUENCE - 1);
        int lisn = lisns[k];
        Machine m = machine;
        VCpu c = cpu;
        m.store(c, triggerAddr[k], 8, 0);
        XiveEndToEndBench.check(m.load(c, timaOs + Tima.SPC_ACK_OS_REG, 2), ACK_EXPECTED, "TIMA ACK");
        readEq((int) m.load(c, qpage + ((long) qidx << 2), 4), lisn, bh);
        XiveEndToEndBench.check(m.load(c, eoiAddr[k] + XiveSource.ESB_SET_PQ_00, 8), 0b10, "ESB EOI old PQ");
        m.store(c, timaOs + ThreadContext.QW1_OS + ThreadContext.CPPR, 1, 0xff);
        ops++;
    }
}
