package io.pseries.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.pseries.core.Machine;
import io.pseries.core.util.Json;

/**
 * Checkpoint invariance of the raw-ABI IPI workloads of a 4-vCPU machine in each ic-mode: the
 * run with snapshot, restore into a fresh machine and continue there is indistinguishable from
 * the straight run: the same events after the point, the same {@code pic()}, vCPU inputs,
 * virtual time, and the same final snapshot (so every section, RAM queues included, agrees).
 */
class SnapshotRoundTripTest {

    static Stream<Workloads.Workload> workloads() {
        return Workloads.all().stream();
    }

    private static List<Object> cpuInputs(Machine m) {
        List<Object> l = new ArrayList<>();
        m.cpus().forEach(c -> l.add(List.of(c.osInterrupt(), c.hvInterrupt(), c.osInterruptRaises(), c.running())));
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void snapshotRestoreIntoAFreshMachineChangesNothingObservable(Workloads.Workload w) {
        Machine straight = w.create();
        w.setup().accept(straight);
        w.before().accept(straight);
        String picAtPoint = Json.write(straight.pic());
        List<String> straightEvents = Workloads.record(straight);
        w.after().accept(straight);

        Machine src = w.create();
        w.setup().accept(src);
        w.before().accept(src);
        byte[] snap = src.snapshot();
        Machine dst = w.create();
        assertNotEquals(picAtPoint, Json.write(dst.pic()), "a fresh machine must differ, or the test proves nothing");
        dst.restore(snap);
        assertEquals(picAtPoint, Json.write(dst.pic()));
        assertEquals(cpuInputs(src), cpuInputs(dst));
        assertTrue(dst.cpus().stream().anyMatch(c -> c.osInterrupt()), "an IPI is presented at the snapshot point");
        List<String> restoredEvents = Workloads.record(dst);
        w.after().accept(dst);

        assertEquals(straightEvents, restoredEvents);
        assertTrue(straightEvents.stream().anyMatch(e -> e.startsWith("t=") && e.contains(" irq ")), "the workload raises vCPU inputs after the point: " + straightEvents);
        assertEquals(Json.write(straight.pic()), Json.write(dst.pic()));
        assertEquals(cpuInputs(straight), cpuInputs(dst));
        assertEquals(straight.now(), dst.now());
        assertEquals(straight.icMode(), dst.icMode());
        assertArrayEquals(straight.snapshot(), dst.snapshot());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void restoreIntoTheSameMachineAfterItMovedOnGoesBackToThePoint(Workloads.Workload w) {
        Machine m = w.create();
        w.setup().accept(m);
        w.before().accept(m);
        byte[] snap = m.snapshot();
        String pic = Json.write(m.pic());
        List<Object> inputs = cpuInputs(m);
        long now = m.now();
        w.after().accept(m);
        m.restore(snap);
        assertEquals(pic, Json.write(m.pic()));
        assertEquals(inputs, cpuInputs(m));
        assertEquals(now, m.now());
        assertArrayEquals(snap, m.snapshot());
    }
}
