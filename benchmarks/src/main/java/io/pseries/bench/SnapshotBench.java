package io.pseries.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
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
import io.pseries.core.guest.GuestOs;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.SpaprIrq;

/**
 * B6: snapshot and restore time, and the stream's size, of two machines: {@code large}, 4096
 * vCPUs in XIVE mode with 2^20 interrupt numbers of which 1 % (10486 device sources, MSI numbers
 * from 0x1300 up) are claimed and routed round-robin to every vCPU's priority-6 queue (4 KiB each); and
 * {@code small}, 4 vCPUs set up the same way through the guest ABI with the machine's own
 * sources routed; {@code booted-xive} and {@code booted-xics}, 4 vCPUs and a console booted by
 * the guest model (its Linux-like boot, then an IPI ring in flight), guest sections included.
 * Goal (performance.md): <= 50 ms each way and <= 12 MiB for {@code large}.
 *
 * <p>{@code save} is {@code Machine.snapshot()}; {@code restore} is {@code Machine.restore} of
 * that stream into a second machine of the same configuration (validation of every section,
 * then the commit). The stream's size is reported as the {@code streamBytes} counter.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SnapshotBench {
    @Param({"large", "small", "booted-xive", "booted-xics"})
    public String machine;

    Machine source;
    Machine target;
    byte[] stream;

    /** The stream's size in bytes, per op (the same every op). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Size {
        public long streamBytes;
    }

    static final int SOURCES = (1 << 20) / 100;

    /** A machine of the configuration, with its claims (the claims are part of what must match). */
    public static Machine create(String which) {
        if (which.startsWith("booted-")) {
            // the guest model's Linux-like boot of 4 vCPUs with a console (dual mode: CAS decides)
            return Machine.create(MachineConfig.builder().cpus(4).icMode(which.substring("booted-".length()))
                .devices(java.util.List.of(MachineConfig.DeviceConfig.of("spapr-vty"))).build());
        }
        if (which.equals("small")) {
            return Machine.create(MachineConfig.builder().cpus(4).icMode("xive").build());
        }
        // large-xics: the same in XICS mode (PicBench's reset)
        String mode = which.equals("large-xics") ? "xics" : "xive";
        Machine m = Machine.create(MachineConfig.builder().cpus(4096).icMode(mode).nrIrqs(1 << 20).build());
        // large-idle: the same configuration with none of the 1 %: what is configured, not active
        for (int i = 0; i < (which.equals("large-idle") ? 0 : SOURCES); i++) {
            m.claimIrq(SpaprIrq.MSI + i, false, "b6");
        }
        return m;
    }

    public static void prepare(Machine m, String which) {
        if (which.startsWith("booted-")) {
            m.boot(GuestOs.BootOptions.defaults());
            m.runUntilIdle();
            for (int c = 0; c < 4; c++) {
                m.guest().ipi(c, (c + 1) % 4);           // an IPI ring in flight, as a running guest has
            }
            return;
        }
        if (which.equals("large-xics")) {
            // every claimed source sent to a vCPU at priority 5 (ibm,set-xive), round-robin
            int cpus = m.cpus().size();
            for (int i = 0; i < SOURCES; i++) {
                int irq = SpaprIrq.MSI + i;
                check(m.rtas(0, "ibm,set-xive", new int[] {irq, i % cpus, 5}, 1).status(), "set-xive");
            }
            return;
        }
        m.cas(GuestOv5.linuxVector(0x40));
        int cpus = m.cpus().size();
        long qpages = m.memory().alloc((long) cpus << 12, 1 << 16);
        for (int c = 0; c < cpus; c++) {
            // a 4 KiB queue each (1024 entries): 16 MiB of queues for 4096 vCPUs
            check(m.hcall(0, Hcalls.H_INT_SET_QUEUE_CONFIG, 1, c, 6, qpages + ((long) c << 12), 12).rc(), "queue");
        }
        int n = which.equals("large") ? SOURCES : 0;
        int[] own = {0x1000, 0x1001, 0x1100, 0x1101};
        for (int i = 0; i < own.length; i++) {
            check(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, own[i], i % cpus, 6, own[i]).rc(), "source");
        }
        for (int i = 0; i < n; i++) {
            int lisn = SpaprIrq.MSI + i;
            check(m.hcall(0, Hcalls.H_INT_SET_SOURCE_CONFIG, 2, lisn, i % cpus, 6, lisn).rc(), "source");
        }
    }

    private static void check(long rc, String what) {
        if (rc != PaprRc.H_SUCCESS) {
            throw new IllegalStateException("B6 set-up: " + what + " configuration answered " + rc);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        source = create(machine);
        prepare(source, machine);
        target = create(machine);
        stream = source.snapshot();
    }

    @Benchmark
    public byte[] save(Size size) {
        byte[] b = source.snapshot();
        size.streamBytes = b.length;
        return b;
    }

    @Benchmark
    public Machine restore(Size size) {
        target.restore(stream);
        size.streamBytes = stream.length;
        return target;
    }
}
