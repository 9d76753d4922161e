package io.pseries.core.host;

/**
 * The Linux error numbers the simulated host kernel answers with. An ioctl, mmap or attribute
 * call that fails returns {@code -errno} (see {@link KvmResult}); scripts see the name.
 *
 * <p>Numbers are those of Linux's {@code include/uapi/asm-generic/errno-base.h}, which powerpc
 * uses unchanged.
 */
public enum Errno {
    EPERM(1, "Operation not permitted"),
    ENOENT(2, "No such file or directory"),
    EIO(5, "Input/output error"),
    ENXIO(6, "No such device or address"),
    E2BIG(7, "Argument list too long"),
    EBADF(9, "Bad file descriptor"),
    EAGAIN(11, "Resource temporarily unavailable"),
    ENOMEM(12, "Cannot allocate memory"),
    EFAULT(14, "Bad address"),
    EBUSY(16, "Device or resource busy"),
    EEXIST(17, "File exists"),
    ENODEV(19, "No such device"),
    EINVAL(22, "Invalid argument"),
    ENOSPC(28, "No space left on device");

    private final int number;
    private final String message;

    Errno(int number, String message) {
        this.number = number;
        this.message = message;
    }

    /** glibc's {@code strerror} text, which QEMU appends to its error messages. */
    public String message() {
        return message;
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
