package io.pseries.core.sched;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SchedulerTest {

    private final Scheduler s = new Scheduler();
    private final List<String> fired = new ArrayList<>();

    private Scheduler.Action record(String name) {
        return now -> fired.add(name + "@" + now);
    }

    @Test
    void eventsFireInTimeOrderAndSeeTheirTime() {
        s.at(30, record("a"));
        s.at(10, record("b"));
        s.at(20, record("c"));
        s.runUntilIdle(100);
        assertEquals(List.of("b@10", "c@20", "a@30"), fired);
        assertEquals(30, s.now());
    }

    @Test
    void sameTimeEventsFireInInsertionOrder() {
        s.at(10, record("first"));
        s.at(5, record("early"));
        s.at(10, record("second"));
        s.at(10, record("third"));
        s.runUntilIdle(100);
        assertEquals(List.of("early@5", "first@10", "second@10", "third@10"), fired);
    }

    @Test
    void manySameTimeEventsStayFifoAcrossHeapGrowth() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            s.at(7, now -> order.add(n));
        }
        assertEquals(500, s.pending());
        s.runUntilIdle(1000);
        for (int i = 0; i < 500; i++) {
            assertEquals(i, order.get(i));
        }
    }

    @Test
    void randomScheduleFiresSortedByTimeThenInsertion() {
        SplittableRandom r = new SplittableRandom(42);
        record Ev(long time, int seq) {
        }
        List<Ev> expected = new ArrayList<>();
        List<Ev> got = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Ev e = new Ev(r.nextInt(50), i);
            expected.add(e);
            s.at(e.time(), now -> {
                assertEquals(e.time(), now);
                got.add(e);
            });
        }
        expected.sort(Comparator.comparingLong(Ev::time).thenComparingInt(Ev::seq));
        assertEquals(2000, s.runUntilIdle(10_000));
        assertEquals(expected, got);
        assertEquals(2000, s.firedCount());
    }

    @Test
    void eventScheduledFromAnActionAtTheSameTimeRunsAfterTheQueuedOnes() {
        s.at(10, now -> {
            fired.add("a@" + now);
            s.after(0, record("fromA"));
        });
        s.at(10, record("b"));
        s.runUntil(10);
        assertEquals(List.of("a@10", "b@10", "fromA@10"), fired);
    }

    @Test
    void afterIsRelativeToNow() {
        s.runUntil(100);
        s.after(25, record("x"));
        s.runUntilIdle(10);
        assertEquals(List.of("x@125"), fired);
    }

    @Test
    void negativeDelayIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.after(-1, record("x")));
        assertEquals("negative delay -1", e.getMessage());
        assertEquals(0, s.pending());
    }

    @Test
    void anAbsoluteTimeInThePastFiresNow() {
        s.runUntil(50);
        s.at(10, record("late"));
        s.runUntil(50);
        assertEquals(List.of("late@50"), fired);
        assertEquals(50, s.now());
    }

    @Test
    void runUntilFiresDueEventsInclusiveAndSetsTheClockExactly() {
        s.at(40, record("a"));
        s.at(100, record("b"));
        s.at(101, record("c"));
        assertEquals(2, s.runUntil(100));
        assertEquals(List.of("a@40", "b@100"), fired);
        assertEquals(100, s.now());
        assertEquals(1, s.pending());
    }

    @Test
    void runUntilAdvancesTheClockEvenWithNothingToDo() {
        assertEquals(0, s.runUntil(1_000_000));
        assertEquals(1_000_000, s.now());
    }

    @Test
    void runUntilNeverMovesTheClockBack() {
        s.runUntil(500);
        assertEquals(0, s.runUntil(100));
        assertEquals(500, s.now());
    }

    @Test
    void runUntilIdleDrainsAndLeavesTheClockAtTheLastEvent() {
        s.at(5, record("a"));
        s.at(9, record("b"));
        assertEquals(2, s.runUntilIdle(10));
        assertEquals(9, s.now());
        assertEquals(0, s.pending());
    }

    @Test
    void runUntilIdleBoundThrowsExplainingTheStorm() {
        // a level interrupt left asserted: every handling re-raises
        Scheduler.Action[] storm = new Scheduler.Action[1];
        storm[0] = now -> s.after(10, storm[0]);
        s.after(10, storm[0]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.runUntilIdle(5));
        assertTrue(e.getMessage().startsWith("the machine did not become idle after 5 events"), e.getMessage());
        assertTrue(e.getMessage().contains("virtual time 50 ns"), e.getMessage());
        assertTrue(e.getMessage().contains("interrupt storm"), e.getMessage());
        assertEquals(5, s.firedCount());
        assertEquals(1, s.pending());
    }

    @Test
    void dropPendingKeepsTheClockAndForgetsEvents() {
        s.at(10, record("a"));
        s.runUntil(10);
        s.at(20, record("dropped"));
        s.after(1, record("dropped too"));
        s.dropPending();
        assertEquals(10, s.now());
        assertEquals(0, s.pending());
        assertEquals(0, s.runUntilIdle(10));
        s.after(5, record("b"));
        s.runUntilIdle(10);
        assertEquals(List.of("a@10", "b@15"), fired);
    }

    @Test
    void firedCountAndPendingTrackTheQueue() {
        s.at(1, record("a"));
        s.at(2, record("b"));
        s.at(3, record("c"));
        assertEquals(3, s.pending());
        s.runUntil(2);
        assertEquals(2, s.firedCount());
        assertEquals(1, s.pending());
    }
}
