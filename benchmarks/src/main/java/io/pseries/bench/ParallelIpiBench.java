package io.pseries.bench;

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
import io.pseries.core.guest.GuestOs;

/**
 * The unpaced IPI workload on 1 and 2 host threads ({@code hostThreads}, benchmarks/README.md
 * "Parallel vCPUs"). One op is one {@code m.guest.ipis(pairs, { paced: false, repeat: 2 })} as
 * the JS binding runs it: every vCPU sends one IPI per pass, each vCPU receives exactly one per
 * pass, so all 2N IPIs are taken (none coalesces) after the sends. {@code cross}: vCPU k sends
 * to k + N/2 (mod N), each IPI crosses the two domains (a posted store through a ring);
 * {@code local}: k sends to k ^ 1, each IPI stays in its domain. With {@code hostThreads = 1} the
 * op is the deterministic mode's loop (every IPI sent, then the machine runs until idle).
 * The score is calls per second; IPIs per second are 2N times it. The tear-down checks that
 * every IPI sent was taken exactly once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ParallelIpiBench {
    static final int REPEAT = 2;

    @Param({"4", "64"})
    public int cpus;

    @Param({"cross", "local"})
    public String pairs;

    @Param({"1", "2"})
    public int hostThreads;

    private Machine m;
    private GuestOs guest;
    private int[] p;
    private long calls;
    private long takenBefore;

    @Setup(Level.Trial)
    public void setUp() {
        m = Machine.create(MachineConfig.builder().cpus(cpus).icMode("xive").seed(1).hostThreads(hostThreads).build());
        m.boot(GuestOs.BootOptions.defaults());
        m.runUntilIdle();
        guest = m.guest();
        p = new int[2 * cpus];
        for (int k = 0; k < cpus; k++) {
            p[2 * k] = k;
            p[2 * k + 1] = "cross".equals(pairs) ? (k + cpus / 2) % cpus : k ^ 1;
        }
        takenBefore = GuestIpiBench.taken(guest, cpus);
    }

    @Benchmark
    public long ipis() {
        calls++;
        if (hostThreads > 1) {
            return m.parallelIpis().run(p, REPEAT);
        }
        for (int r = 0; r < REPEAT; r++) {
            for (int i = 0; i < p.length; i += 2) {
                guest.ipi(p[i], p[i + 1]);
            }
        }
        return m.runUntilIdle();
    }

    @TearDown(Level.Trial)
    public void check() {
        long sent = calls * REPEAT * cpus;
        long got = GuestIpiBench.taken(guest, cpus) - takenBefore;
        if (got != sent) {
            throw new IllegalStateException(cpus + " vCPUs, " + pairs + ", " + hostThreads + " host threads: " + sent
                + " IPIs sent, " + got + " taken");
        }
    }
}
