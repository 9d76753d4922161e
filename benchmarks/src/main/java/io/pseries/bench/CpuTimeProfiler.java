package io.pseries.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler ({@code -prof io.pseries.bench.CpuTimeProfiler}) reporting {@code cpu.time.norm}:
 * the CPU time the benchmark's worker threads used per op, in ns.
 *
 * <p>Why: on a host shared with other work (2 cores, a load average of 2 to 8), the wall time per
 * op includes the time the worker waited for a core, so the same build swings by 2x from one
 * run to the next. CPU time counts only the time the worker ran. It is the sum over the JMH worker
 * threads of their thread CPU time during the iteration, divided by every op they did in it
 * (including the ops JMH runs outside the timed window to synchronise the threads).
 *
 * <p>Threading: JMH calls it from its control thread before and after each iteration.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> before = new HashMap<>();

    @Override
    public String getDescription() {
        return "CPU time of the benchmark threads per op (ns), robust against waiting for a core";
    }

    private Map<Long, Long> workers() {
        Map<Long, Long> cpu = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("jmh-worker")) {
                cpu.put(t.threadId(), threads.getThreadCpuTime(t.threadId()));
            }
        }
        return cpu;
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before.clear();
        before.putAll(workers());
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long used = 0;
        for (Map.Entry<Long, Long> e : workers().entrySet()) {
            if (e.getValue() >= 0) {
                used += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
        }
        long ops = result.getMetadata().getAllOps();
        double perOp = ops == 0 ? Double.NaN : (double) used / ops;
        return List.of(new ScalarResult("cpu.time.norm", perOp, "ns/op", AggregationPolicy.AVG));
    }
}
