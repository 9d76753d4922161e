package io.pseries.script.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pseries.core.sched.Scheduler;

/**
 * The progress line of long calls: nothing for a call shorter than a second of wall time, then
 * the virtual time and events at most every 250 ms, cleared when the call returns; and a run
 * with a display fires exactly the events a run without one fires.
 */
class LongCallsTest {
    /** A display that records what it was asked to show. */
    static final class Recorder implements LongCalls.Display {
        final List<String> lines = new ArrayList<>();
        int done;

        @Override
        public void update(String text) {
            lines.add(text);
        }

        @Override
        public void done() {
            done++;
        }
    }

    /** A scheduler with {@code n} events 1 us apart, each advancing the fake wall clock by {@code wallPerEvent} ns. */
    private static Scheduler events(int n, long[] wall, long wallPerEvent, List<Long> firedAt) {
        Scheduler s = new Scheduler();
        for (int i = 0; i < n; i++) {
            s.at((i + 1) * 1000L, t -> {
                wall[0] += wallPerEvent;
                firedAt.add(t);
            });
        }
        return s;
    }

    @Test
    void aShortCallShowsNothing() {
        long[] wall = {0};
        Recorder r = new Recorder();
        Scheduler s = events(3 * Scheduler.PROGRESS_EVERY, wall, 1000, new ArrayList<>());
        LongCalls.run(s, "m.runUntilIdle", r, () -> wall[0], () -> s.runUntilIdle(Long.MAX_VALUE));
        assertEquals(List.of(), r.lines, "0.2 s of wall time: below the 1 s threshold");
        assertEquals(0, r.done);
    }

    @Test
    void aLongCallShowsVirtualTimeAndEventsAtMostEveryQuarterSecondThenClears() {
        long[] wall = {0};
        Recorder r = new Recorder();
        // 20 reports of 65536 events, 0.1 s of wall time each: 2 s in all
        long perEvent = 100_000_000L / Scheduler.PROGRESS_EVERY + 1;
        Scheduler s = events(20 * Scheduler.PROGRESS_EVERY, wall, perEvent, new ArrayList<>());
        LongCalls.run(s, "m.run", r, () -> wall[0], () -> s.runUntil(Long.MAX_VALUE));
        assertTrue(r.lines.size() >= 3 && r.lines.size() <= 5, "shown from 1 s on, every >= 250 ms of 2 s: " + r.lines);
        assertTrue(r.lines.get(0).matches("m\\.run: [0-9.]+ ms virtual, [0-9,]+ events, 1\\.[0-9] s"), r.lines.get(0));
        assertEquals(1, r.done, "cleared once when the call returned");
    }

    @Test
    void aRunWithADisplayFiresExactlyWhatARunWithoutFires() {
        List<Long> plain = new ArrayList<>();
        Scheduler a = events(2 * Scheduler.PROGRESS_EVERY + 7, new long[1], 0, plain);
        a.runUntil(Long.MAX_VALUE);
        List<Long> shown = new ArrayList<>();
        long[] wall = {0};
        Scheduler b = events(2 * Scheduler.PROGRESS_EVERY + 7, wall, 1_000_000L, shown);
        LongCalls.run(b, "m.run", new Recorder(), () -> wall[0], () -> b.runUntil(Long.MAX_VALUE));
        assertEquals(plain, shown);
        assertEquals(a.now(), b.now());
        assertEquals(a.firedCount(), b.firedCount());
    }
}
