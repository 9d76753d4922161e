package io.pseries.bench;

import java.util.concurrent.TimeUnit;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Value;
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

import io.pseries.script.ScriptEngine;

/**
 * B8's unit: what one API call from a script costs, in the runtime scripts get by default (the
 * JMH fork has no JVMCI, so GraalJS runs interpreter-only, as {@code ./pseries run} does). One
 * op is one call made by a JS loop of {@link #BATCH} calls, on a booted 4-vCPU XIVE machine;
 * {@code cpu_ns} (CpuTimeProfiler) is the figure to compare on a shared host. {@code empty} is
 * the loop and an empty JS call, the floor every other item stands on; {@code ipi} is one IPI of
 * B8's ring ({@code m.guest.ipi} and {@code m.runUntilIdle}); {@code ipis} is the same IPI sent
 * as one of the 1024 of a single {@code m.guest.ipis} call (the ring's pairs, repeated).
 *
 * <pre>
 *   benchmarks/run.sh HostCallBench                 every item
 *   benchmarks/run.sh HostCallBench -p item=now     one
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
public class HostCallBench {
    static final int BATCH = 1024;

    @Param({"empty", "cpus", "now", "memRead32", "load", "store", "portLoad", "portStore", "runUntilIdle", "hcall", "ipi", "ipis"})
    public String item;

    private ScriptEngine engine;
    private Context ctx;
    private Value loop;

    @Setup(Level.Trial)
    public void setUp() {
        engine = new ScriptEngine();
        ctx = engine.newContext(new ScriptEngine.Options());
        String call = switch (item) {
            case "empty" -> "f()";
            case "cpus" -> "m.cpus";
            case "now" -> "m.now";
            case "memRead32" -> "m.mem.read32(ram)";
            case "load" -> "m.load(0, ram, 4)";
            case "store" -> "m.store(0, ram, 4, 7)";
            // the same accesses through a site resolved ahead (m.port)
            case "portLoad" -> "ramPort.load()";
            case "portStore" -> "ramPort.store(7)";
            case "runUntilIdle" -> "m.runUntilIdle()";
            // an implemented hcall, answered H_SUCCESS: vCPU 0's IPI source (LISN 0) after boot
            case "hcall" -> "m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0).rc";
            case "ipi" -> "{ const to = from + 1 === 4 ? 0 : from + 1; g.ipi(from, to); m.runUntilIdle(); from = to; }";
            case "ipis" -> "RING";
            default -> throw new IllegalArgumentException("unknown item " + item);
        };
        loop = ctx.eval("js", """
            (() => {
              const m = pseries.machine({ cpus: 4, icMode: 'xive', seed: 1 });
              m.boot();
              m.runUntilIdle();
              const g = m.guest;
              const ram = m.mem.alloc(4096, 4096);
              const ramPort = m.port(0, ram, 4);
              const f = () => 0;
              let from = 0;
              let sink = 0;
              const ring = [0, 1, 1, 2, 2, 3, 3, 0];
              const info = m.hcall(0, 'H_INT_GET_SOURCE_INFO', 0, 0);
              if (info.rc !== 0) { throw new Error('set-up: H_INT_GET_SOURCE_INFO answered ' + info.rcName); }
              if (%s === 'RING') { return (n) => g.ipis(ring, { repeat: n / 4 }); }
              return (n) => { for (let i = 0; i < n; i++) { sink += Number(%s) | 0; } return sink; };
            })()
            """.formatted(call.equals("RING") ? "'RING'" : "''", call.startsWith("{") ? "(() => " + call + ")()" : call));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Value call() {
        return loop.execute(BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ctx.close();
        engine.close();
    }
}
