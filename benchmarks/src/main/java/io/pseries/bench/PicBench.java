package io.pseries.bench;

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
import io.pseries.core.util.Json;

/**
 * B7, the Java side: {@code Machine.pic()} (the structured state of the active controller) and
 * the JSON text the script API hands to JS ({@code Json.write} of it; JS then runs
 * {@code JSON.parse}, which {@code benchmarks/pic-js.sh} measures). The machines are
 * {@link SnapshotBench}'s: {@code large} is 4096 vCPUs with 1 % of 2^20 sources claimed and
 * routed, {@code large-idle} the same configuration with none of them, {@code large-xics} the
 * large machine in XICS mode (the sources sent to the vCPUs by ibm,set-xive), {@code small} 4 vCPUs. Goal (performance.md): <= 10 ms, the cost following what is
 * active, not what is configured.
 *
 * <p>{@code reset} is B7's other half: {@code Machine.reset()} (the guest's reboot) of the same
 * machine, set up again before each call (CAS, every queue and every claimed source configured
 * through hcalls), so each reset has the whole state to undo.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PicBench {
    @Param({"large", "large-idle", "large-xics", "small"})
    public String machine;

    Machine m;

    @Setup(Level.Trial)
    public void setUp() {
        m = SnapshotBench.create(machine);
        SnapshotBench.prepare(m, machine);
    }

    /** The structured state, as Java callers get it. */
    @Benchmark
    public Map<String, Object> pic() {
        return m.pic();
    }

    /** The machine in its set-up state before every {@link #reset} call. */
    @State(Scope.Thread)
    public static class Configured {
        boolean dirty;

        @Setup(Level.Invocation)
        public void configure(PicBench b) {
            if (dirty) {
                SnapshotBench.prepare(b.m, b.machine);
                dirty = false;
            }
        }
    }

    /** Machine reset with every claimed source routed and every queue configured. */
    @Benchmark
    public long reset(Configured c) {
        m.reset();
        c.dirty = true;
        return m.resetCount();
    }

    /** The structured state and its JSON text: what {@code m.pic()} costs before JS parses it. */
    @Benchmark
    public String picJson() {
        return Json.write(m.pic());
    }
}
