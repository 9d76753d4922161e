package io.pseries.core.host;

/**
 * A simulated kernel path failed with an errno. Only thrown inside the host model (a device's
 * create hook); {@link KvmVm} turns it into a {@link KvmResult} before anything reaches a caller.
 */
public final class KvmException extends RuntimeException {
    private final Errno errno;

    public KvmException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
