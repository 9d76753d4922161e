package io.pseries.core.host;

import java.util.Arrays;

/**
 * The answer of one simulated system call (an ioctl, an attribute call, a one-reg access):
 * {@code ret} is 0 (or a non-negative value) on success and {@code -errno} on failure, and
 * {@code data} holds what a "get" copied out to user space (empty otherwise).
 *
 * <p>Immutable; any thread.
 */
public record KvmResult(int ret, Errno errno, long[] data) {
    private static final long[] NONE = new long[0];
    private static final KvmResult OK = new KvmResult(0, null, NONE);

    public KvmResult {
        data = data == null ? NONE : data.clone();
    }

    /** Success with nothing copied out. */
    public static KvmResult ok() {
        return OK;
    }

    /** Success, {@code data} copied out. */
    public static KvmResult ok(long... data) {
        return new KvmResult(0, null, data);
    }

    /** Failure with {@code -e}. */
    public static KvmResult error(Errno e) {
        return new KvmResult(-e.number(), e, NONE);
    }

    public boolean isOk() {
        return errno == null;
    }

    /** {@code data[i]}, or 0 when nothing was copied out. */
    public long value(int i) {
        return i < data.length ? data[i] : 0;
    }

    @Override
    public long[] data() {
        return data.clone();
    }

    @Override
    public String toString() {
        return errno == null ? "ret=" + ret + " data=" + Arrays.toString(data) : "ret=" + ret + " (" + errno + ")";
    }
}
