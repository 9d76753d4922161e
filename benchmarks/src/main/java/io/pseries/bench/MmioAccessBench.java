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

import io.pseries.xive.ThreadContext;
import io.pseries.xive.Tima;
import io.pseries.xive.XiveSource;

/**
 * B1's guest accesses one at a time, each next to the internal call it stands for, so what the
 * guest-ABI dispatch costs per access ({@code Machine.load}/{@code store} down to the handler)
 * shows on its own. It uses B1's machine ({@link XiveEndToEndBench#setup}); every op leaves the
 * state as it found it (PQ 00, CPPR 0xFF, OS line low), which the trial tear-down checks.
 *
 * <pre>
 *  ramLoad      4-byte guest load from RAM (the EQ entry)
 *  esbGet*      ESB GET, load at EOI page + 0x800: the PQ, no side effect
 *  cppr*        OS CPPR store of 0xFF while it is 0xFF (nothing to signal)
 *  ack*         OS ACK with nothing pending (answers CPPR 0xFF)
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MmioAccessBench {
    private final XiveEndToEndBench b1 = new XiveEndToEndBench();

    @Setup(Level.Trial)
    public void setup() {
        b1.setup();
    }

    @TearDown(Level.Trial)
    public void check() {
        b1.check();
    }

    @Benchmark
    public long ramLoad() {
        return b1.machine.load(b1.cpu, b1.qpage, 4);
    }

    @Benchmark
    public long esbGetMmio() {
        return b1.machine.load(b1.cpu, b1.eoiAddr + XiveSource.ESB_GET, 8);
    }

    @Benchmark
    public long esbGetInternal() {
        return b1.source.esbRead(0, b1.mgmtOffset + XiveSource.ESB_GET);
    }

    @Benchmark
    public void cpprMmio() {
        b1.machine.store(b1.cpu, b1.timaOs + ThreadContext.QW1_OS + ThreadContext.CPPR, 1, 0xff);
    }

    @Benchmark
    public void cpprInternal() {
        b1.tctx.setCppr(ThreadContext.QW1_OS, 0xff);
    }

    @Benchmark
    public long ackMmio() {
        return b1.machine.load(b1.cpu, b1.timaOs + Tima.SPC_ACK_OS_REG, 2);
    }

    @Benchmark
    public long ackInternal() {
        return b1.tctx.accept(ThreadContext.QW1_OS);
    }
}
