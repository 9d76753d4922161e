package io.pseries.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.guest.GuestOs;

/**
 * B4: the IPI workload through the Linux-like guest model (performance.md: at least 5 M IPIs/s
 * on one core, 4 and 64 vCPUs). One op is one IPI, paced: vCPU k sends to vCPU k + 1 (mod N)
 * through the guest's IPI path (XIVE: the target's IPI ESB trigger; XICS: H_IPI), then the
 * machine runs until idle, so the target takes it: the external exception, the guest's handler
 * (TIMA ACK or H_XIRR, the event-queue read, the ESB EOI or H_EOI, CPPR) as the guest model does
 * them through the guest ABI. The tear-down checks that every IPI sent was taken exactly once.
 *
 * <p>{@code benchmarks/guest-ipi.sh} runs this interleaved with the same loop from JS (B8).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GuestIpiBench {
    /** IPIs per invocation: one full ring over the vCPUs, repeated. */
    static final int BATCH = 1024;

    @Param({"4", "64"})
    public int cpus;

    @Param({"xive", "xics"})
    public String mode;

    /**
     * How many vCPUs the ring goes round (0: all): with all vCPUs of a big machine each IPI
     * touches a new vCPU's state; with a few, the same code runs on a small working set.
     */
    @Param({"0"})
    public int ring;

    private Machine m;
    private GuestOs guest;
    private int next;
    private long sent;
    private long takenBefore;

    @Setup(Level.Trial)
    public void setUp() {
        m = Machine.create(MachineConfig.builder().cpus(cpus).icMode(mode).seed(1).build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        guest = m.guest();
        if (!mode.equals(guest.mode())) {
            throw new IllegalStateException("the guest booted in " + guest.mode() + ", not " + mode);
        }
        takenBefore = taken(guest, cpus);
    }

    /** IPIs the guest's vCPUs took so far (B4's check that each IPI sent was taken). */
    static long taken(GuestOs guest, int cpus) {
        long n = 0;
        for (int c = 0; c < cpus; c++) {
            n += guest.ipisTaken(c);
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long ipi() {
        int from = next;
        for (int i = 0; i < BATCH; i++) {
            int n = ring > 0 ? ring : cpus;
            int to = from + 1 >= n ? 0 : from + 1;
            guest.ipi(from, to);
            m.runUntilIdle();
            from = to;
        }
        next = from;
        sent += BATCH;
        return sent;
    }

    @TearDown(Level.Trial)
    public void check() {
        long got = taken(guest, cpus) - takenBefore;
        if (got != sent) {
            throw new IllegalStateException(cpus + " vCPUs " + mode + ": " + sent + " IPIs sent, " + got + " taken");
        }
    }
}
