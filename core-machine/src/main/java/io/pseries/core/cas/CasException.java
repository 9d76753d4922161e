package io.pseries.core.cas;

/**
 * CAS did not succeed. Either QEMU would have terminated the guest ({@link #fatal()}, with
 * QEMU's own message) or the CAS hcall returned an error code ({@link #rc()}). The machine is
 * left exactly as it was before the call.
 */
public final class CasException extends RuntimeException {
    private final long rc;
    private final boolean fatal;

    public CasException(String qemuMessage, long rc, boolean fatal) {
        super(qemuMessage);
        this.rc = rc;
        this.fatal = fatal;
    }

    /** The hcall return code the guest would see, or 0 when QEMU exits instead. */
    public long rc() {
        return rc;
    }

    /** Whether QEMU would have exited ("qemu-system-ppc64: ..."), rather than returned an error. */
    public boolean fatal() {
        return fatal;
    }
}
