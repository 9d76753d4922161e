package io.pseries.core.snapshot;

import io.pseries.core.sched.Scheduler;

/**
 * The scheduler's virtual time and insertion counter. Pending events are recorded by the
 * sections of their owners ({@link io.pseries.core.sched.Scheduler.Recorded}: the guest model's
 * exception entries, in {@code guest}; guest code's vCPU slices, in {@code cpu/code}), with
 * their time and order, and scheduled again after this section's commit; any other pending
 * event is not data, and the snapshot is refused with that reason.
 */
final class ClockSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("nowNs", FieldType.I64, "sequence", FieldType.I64,
        "fired", FieldType.I64);

    private final Scheduler s;
    private long loadedNow = -1;
    private long loadedSequence = -1;

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
        int n = s.unrecordedPending();
        if (n > 0) {
            throw new SnapshotException(name(), "not at a quiescent point: " + n + " event"
                + (n == 1 ? " is" : "s are") + " pending at virtual time " + s.now()
                + " ns that no section records as data (events of the machine's own code); snapshots"
                + " are taken when only the guest model's exception entries and guest code's vCPU"
                + " slices are pending (run m.runUntilIdle() first)");
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
        loadedNow = now;
        loadedSequence = seq;
        return () -> s.restoreClock(now, seq, fired);
    }

    /** The time the last {@link #load} read (owners of recorded events check theirs against it). */
    long loadedNow() {
        return loadedNow;
    }

    /** The insertion counter the last {@link #load} read: every recorded event's order is below it. */
    long loadedSequence() {
        return loadedSequence;
    }
}
