package io.pseries.core.host;

/**
 * The Linux error numbers the simulated host kernel answers with. An ioctl, mmap or attribute
 * call that fails returns {@code -errno} (see {@link KvmResult}); scripts see the name.
 *
 * <p>Numbers are those of Linux's {@code include/uapi/asm-generic/errno-base.h}, which powerpc
 * uses unchanged.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    EIO(5),
    ENXIO(6),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    ENOSPC(28);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The positive error number ({@code EINVAL} is 22). */
    public int number() {
        return number;
    }

    /** The errno whose number is {@code n}, or {@code null}. */
    public static Errno of(int n) {
        for (Errno e : values()) {
            if (e.number == n) {
                return e;
            }
        }
        return null;
    }
}
