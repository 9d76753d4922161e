package io.pseries.core.snapshot;

import io.pseries.core.cpu.VCpu;

/**
 * One vCPU: its run state and input statistics. Its interrupt inputs are outputs of the
 * active controller and are re-derived by it, not stored.
 */
final class CpuSection implements SnapshotSection {
    private static final Schema SCHEMA = Schema.of("running", FieldType.BOOL, "osRaises", FieldType.I64);

    private final VCpu cpu;
    private final String name;
    private long restored;

    CpuSection(VCpu cpu) {
        this.cpu = cpu;
        this.name = "cpu/" + cpu.index();
    }

    @Override
    public String name() {
        return name;
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
        w.bool("running", cpu.running()).i64("osRaises", cpu.osInterruptRaises());
    }

    @Override
    public Runnable load(SectionReader r) {
        boolean running = r.bool("running");
        long raises = r.i64("osRaises");
        if (raises < 0) {
            throw r.refuse("field 'osRaises' is negative (" + raises + ")");
        }
        restored = raises;
        return () -> cpu.setRunning(running);
    }

    @Override
    public void finish() {
        cpu.restoreOsInterruptRaises(restored);
    }
}
