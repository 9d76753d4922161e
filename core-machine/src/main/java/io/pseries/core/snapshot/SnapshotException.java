package io.pseries.core.snapshot;

/**
 * A snapshot stream was refused (truncated, corrupt, foreign, too new) or a machine cannot be
 * snapshotted now. The message names the section (or "header") and the reason. This is the
 * only exception restore throws for bad bytes; when it is thrown, the target machine is as it
 * was before the call.
 */
public final class SnapshotException extends IllegalArgumentException {
    private final String section;

    public SnapshotException(String section, String reason) {
        super("snapshot " + (section == null ? "" : "section '" + section + "': ") + reason);
        this.section = section;
    }

    /** The section concerned, "header", or null for the stream as a whole. */
    public String section() {
        return section;
    }
}
