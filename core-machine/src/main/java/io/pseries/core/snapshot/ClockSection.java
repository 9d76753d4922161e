package io.pseries.core.snapshot;

import io.pseries.core.sched.Scheduler;

/**
 * The scheduler's virtual time. Pending events are closures over live objects, not data, so
 * a snapshot point is a quiescent one: no event pending (after {@code runUntilIdle()}, or
 * before anything was scheduled). Elsewhere the snapshot is refused with that reason.
 */
final class ClockSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("nowNs", FieldType.I64, "sequence", FieldType.I64,
        "fired", FieldType.I64);

    private final Scheduler s;

    ClockSection(Scheduler s) {
        this.s = s;
    }

    @Override
    public String name() {
        return "clock";
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    public void save(SectionWriter w) {
        if (s.pending() > 0) {
            throw new SnapshotException(name(), "not at a quiescent point: " + s.pending() + " event"
                + (s.pending() == 1 ? " is" : "s are") + " pending at virtual time " + s.now()
                + " ns; snapshots are taken when no event is pending (run m.runUntilIdle() first)");
        }
        w.i64("nowNs", s.now()).i64("sequence", s.sequence()).i64("fired", s.firedCount());
    }

    @Override
    public Runnable load(SectionReader r) {
        long now = r.i64("nowNs");
        long seq = r.i64("sequence");
        long fired = r.i64("fired");
        if (now < 0 || seq < 0 || fired < 0) {
            throw r.refuse("negative clock value (nowNs " + now + ", sequence " + seq + ", fired " + fired + ")");
        }
        return () -> s.restoreClock(now, seq, fired);
    }
}
