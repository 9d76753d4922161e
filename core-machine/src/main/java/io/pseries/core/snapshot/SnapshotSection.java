package io.pseries.core.snapshot;

/**
 * One named, versioned section of a machine snapshot: the architected state of one component
 * instance (a vCPU, the XIVE source, one ICP...), never its derived outputs.
 *
 * <pre>
 *  snapshot:  save(writer)            the fields of schema(), each once
 *  restore:   load(reader) -> commit  validate everything, change nothing; return the change
 *             commit.run()            (only once every section of the stream validated)
 *             rederive()              recompute outputs (lines, PIPR, resend, caches) from state
 *             finish()                statistics the re-derivation counted again
 *             postLoad()              (machine restores) once the in-kernel device is connected
 *                                     and fed: host resources armed again (pass-through links)
 * </pre>
 *
 * <p>{@link #load} sees the version the stream wrote ({@link SectionReader#version()}), between
 * {@link #minVersion()} and {@link #version()}; a loader of a newer version upgrades the older
 * fields itself. It must throw {@link SnapshotException} (via {@link SectionReader#refuse}) for
 * any value this machine cannot hold, and must not touch the machine before its commit runs.
 *
 * <p>Threading: the machine's thread.
 */
public interface SnapshotSection {
    /** The instance name, unique in a machine: {@code cpu/0}, {@code xive/source}, {@code xics/icp/2}. */
    String name();

    /** The version this code writes. */
    int version();

    /** The oldest stream version this code still loads. */
    default int minVersion() {
        return 1;
    }

    /**
     * Whether a stream may lack this section: one added after the first stream format, whose
     * older streams still load ({@link #loadAbsent} stands in for it). The schema marks it.
     */
    default boolean optional() {
        return false;
    }

    /** For an {@link #optional} section a stream lacks: the commit that stands for it. */
    default Runnable loadAbsent() {
        throw new SnapshotException(name(), "missing from the stream");
    }

    /** The fields written at {@link #version()}. */
    Schema schema();

    /** Writes the state; throws {@link SnapshotException} when the component cannot be captured now. */
    void save(SectionWriter w);

    /** Validates the stream's fields and returns the action that installs them (run later, or never). */
    Runnable load(SectionReader r);

    /** After every commit: recompute what is derived from the restored state. */
    default void rederive() {
    }

    /** After every rederive: put back statistics that re-deriving counted again (input raises). */
    default void finish() {
    }

    /**
     * A machine's restore, after its in-kernel device was connected afresh and fed (facts §5.2's
     * post_load), before the VM runs: arm what lives on the host (pass-through vectors: irqfds, links).
     */
    default void postLoad() {
    }
}
