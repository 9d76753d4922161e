package io.pseries.core.snapshot;

import io.pseries.core.Machine;

/**
 * The machine's own state: its reset count and what the platform RTAS calls left (console
 * output, power-off, os-term, the time-of-day offset). The booted guest model is the section
 * {@code guest}.
 */
final class PlatformSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("resets", FieldType.I64, "console", FieldType.STRING,
        "poweredOff", FieldType.BOOL, "osTerm", FieldType.STRING, "hasOsTerm", FieldType.BOOL,
        "todOffsetNs", FieldType.I64);

    private final Machine m;

    PlatformSection(Machine m) {
        this.m = m;
    }

    @Override
    public String name() {
        return "machine";
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
        String term = m.osTerm();
        w.i64("resets", m.resetCount()).string("console", m.console()).bool("poweredOff", m.poweredOff())
            .string("osTerm", term == null ? "" : term).bool("hasOsTerm", term != null)
            .i64("todOffsetNs", m.platformRtas().todOffsetNs());
    }

    @Override
    public Runnable load(SectionReader r) {
        long resets = r.i64("resets");
        if (resets < 0) {
            throw r.refuse("field 'resets' is negative (" + resets + ")");
        }
        String console = r.string("console");
        boolean off = r.bool("poweredOff");
        boolean hasTerm = r.bool("hasOsTerm");
        if (!hasTerm && !r.string("osTerm").isEmpty()) {
            throw r.refuse("field 'osTerm' has a message but 'hasOsTerm' says the guest made no os-term call");
        }
        String term = hasTerm ? r.string("osTerm") : null;
        long tod = r.i64("todOffsetNs");
        return () -> {
            m.restoreResetCount(resets);
            m.vty().restore(console);
            m.platformRtas().restore(off, term, tod);
        };
    }
}
