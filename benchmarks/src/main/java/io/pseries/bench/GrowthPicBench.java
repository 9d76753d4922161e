package io.pseries.bench;

import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

import io.pseries.core.Machine;
import io.pseries.core.MachineConfig;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.SpaprIrq;
import io.pseries.xics.SpaprXics;

/**
 * B7 as a function of size, for {@code benchmarks/growth.sh}: {@code Machine.pic()} of a machine of
 * {@code cpus} vCPUs and {@code nrIrqs} interrupt numbers of which {@code active} (0: 1 % of the
 * numbers, at least one) are claimed MSIs routed round-robin over the vCPUs, in XIVE exploitation mode (after CAS, a priority-6 queue
 * per vCPU, {@code H_INT_SET_SOURCE_CONFIG} per source) or in XICS ({@code ibm,set-xive} and
 * {@code ibm,int-on} per source). Sweeping {@code cpus} at the default {@code nrIrqs} and
 * {@code nrIrqs} at 4 vCPUs shows what the dump's cost follows: performance.md wants it to follow
 * what is active, not what is configured. With 1 % active both grow together; a sweep of
 * {@code nrIrqs} at a fixed {@code active} (64) keeps what is active the same while what is
 * configured grows 128x, so a cost that still grows there comes from a scan of the configured
 * numbers. The set-up checks that the dump lists every claimed source, so a dump that skipped
 * work could not look cheap. Sampled time per call (as {@code PicBench}): on a shared host the
 * median call is not stretched by the waits for a core and the collections that an average would
 * spread over every call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class GrowthPicBench {
    @Param({"4"})
    public int cpus;

    @Param({"8192"})
    public int nrIrqs;

    /** How many MSIs are claimed; 0 means 1 % of {@code nrIrqs}, at least one. */
    @Param({"0"})
    public int active;

    @Param({"xive", "xics"})
    public String mode;

    Machine m;

    /** How many MSIs of {@code nrIrqs} numbers are claimed: {@code active}, or if 0, 1 % (at least one). */
    static int active(int active, int nrIrqs) {
        return active > 0 ? active : Math.max(1, nrIrqs / 100);
    }

    @Setup(Level.Trial)
    public void setUp() {
        m = Machine.create(MachineConfig.builder().cpus(cpus).icMode(mode).nrIrqs(nrIrqs).build());
        int n = active(active, nrIrqs);
        if (n > nrIrqs - SpaprIrq.MSI) {
            throw new IllegalArgumentException("growth set-up: " + n + " active sources do not fit in the MSI range of "
                + nrIrqs + " interrupt numbers");
        }
        for (int i = 0; i < n; i++) {
            m.claimIrq(SpaprIrq.MSI + i, false, "growth");
        }
        if (mode.equals("xive")) {
            m.cas(GuestOv5.linuxVector(0x40));
            long qpages = m.memory().alloc((long) cpus << 12, 1 << 16);
            for (int c = 0; c < cpus; c++) {
                ok(m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, c, 6, qpages + ((long) c << 12), 12).rc(), "queue");
            }
            for (int i = 0; i < n; i++) {
                int lisn = SpaprIrq.MSI + i;
                ok(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, i % cpus, 6, lisn).rc(), "source");
            }
        } else {
            SpaprXics xics = (SpaprXics) m.controller("xics");
            for (int i = 0; i < n; i++) {
                int irq = SpaprIrq.MSI + i;
                int server = xics.icp().serverOf(i % cpus);
                ok(m.rtas(0, "ibm,set-xive", new int[] {irq, server, 5}, 1).status(), "ibm,set-xive");
                ok(m.rtas(0, "ibm,int-on", new int[] {irq}, 1).status(), "ibm,int-on");
            }
        }
        if (!mode.equals(m.icMode())) {
            throw new IllegalStateException("growth set-up: the active controller is " + m.icMode() + ", not " + mode);
        }
        Object sources = m.pic().get("sources");
        int listed = sources instanceof List<?> l ? l.size() : -1;
        if (listed < n) {
            throw new IllegalStateException("growth set-up: pic() lists " + listed + " sources, " + n + " are claimed");
        }
    }

    private static void ok(long rc, String what) {
        if (rc != PaprRc.H_SUCCESS) {
            throw new IllegalStateException("growth set-up: " + what + " configuration answered " + rc);
        }
    }

    /** The structured state, as Java callers get it. */
    @Benchmark
    public Map<String, Object> pic() {
        return m.pic();
    }
}
