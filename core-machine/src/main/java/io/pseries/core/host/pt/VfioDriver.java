package io.pseries.core.host.pt;

import io.pseries.core.host.Errno;
import io.pseries.core.host.HostInterruptController;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.VmmProcess;
import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The host's VFIO driver as one VMM process reaches it through its file table: open an IOMMU
 * group, get a device file from it, arm interrupts on that file, close.
 *
 * <pre>
 *  openGroup(n)             no such group ENOENT; already open (by anyone) EBUSY ─► group fd
 *  getDeviceFd(gfd, addr)   gfd not a group file of this process EBADF; addr not in the group
 *                           ENODEV; the function already has a user EBUSY ─► device fd
 *  setIrqs(dfd, ...)        dfd not a device file of this process EBADF ─► the device's answer
 *  close(fd)                a device file disarms and frees its function; a group file frees the group
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class VfioDriver {
    private final PhysicalHost physical;
    private final VmmProcess process;
    private final java.util.function.Supplier<HostInterruptController> intc;
    private final Trace trace;
    private final PassthroughStats stats;

    public VfioDriver(PhysicalHost physical, VmmProcess process, java.util.function.Supplier<HostInterruptController> intc,
                      Trace trace, PassthroughStats stats) {
        this.physical = physical;
        this.process = process;
        this.intc = intc;
        this.trace = trace;
        this.stats = stats;
    }

    public PhysicalHost physical() {
        return physical;
    }

    /** open("/dev/vfio/N"). */
    public KvmResult openGroup(int n) {
        IommuGroup g = physical.group(n);
        if (g == null) {
            return refused("open_group", "group " + n, Errno.ENOENT);
        }
        if (!g.open(process.name())) {
            return refused("open_group", g.path() + " (held by " + g.openedBy() + ")", Errno.EBUSY);
        }
        return new KvmResult(process.openFile(g), null, null);
    }

    /** VFIO_GROUP_GET_DEVICE_FD. */
    public KvmResult getDeviceFd(int groupFd, String addr) {
        if (!(process.file(groupFd) instanceof IommuGroup g)) {
            return refused("get_device_fd", addr, Errno.EBADF);
        }
        HostPciFunction f = physical.function(addr);
        if (f == null || f.group() != g) {
            return refused("get_device_fd", addr, Errno.ENODEV);
        }
        if (f.owner() != null) {
            return refused("get_device_fd", addr, Errno.EBUSY);
        }
        VfioDevice d = new VfioDevice(f, process.name(), intc.get(), physical.bypass(), trace, stats);
        if (trace.on(TraceCategory.PASSTHROUGH)) {
            trace.emit(TraceCategory.PASSTHROUGH, -1, "vfio_open", "addr", addr, "group", g.number(),
                "process", process.name());
        }
        return new KvmResult(process.openFile(d), null, null);
    }

    /** The VFIO device behind {@code fd} in this process, or {@code null}. */
    public VfioDevice device(int fd) {
        return process.file(fd) instanceof VfioDevice d ? d : null;
    }

    /** VFIO_DEVICE_SET_IRQS with eventfd descriptors ({@code fds == null}: DATA_NONE; -1 entries disarm). */
    public KvmResult setIrqs(int deviceFd, int index, int start, int count, int[] fds) {
        VfioDevice d = device(deviceFd);
        if (d == null) {
            return refused("set_irqs", "fd " + deviceFd, Errno.EBADF);
        }
        EventFd[] e = null;
        if (fds != null) {
            e = new EventFd[fds.length];
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] >= 0) {
                    e[i] = process.eventFd(fds[i]);
                    if (e[i] == null) {
                        // eventfd_ctx_fdget on a descriptor that is no eventfd of this process
                        return refused("set_irqs", "eventfd " + fds[i], Errno.EBADF);
                    }
                }
            }
        }
        Errno r = d.setIrqs(index, start, count, e);
        return r == null ? KvmResult.ok() : KvmResult.error(r);
    }

    /** close(2) of a VFIO file (device or group) or an eventfd. */
    public KvmResult close(int fd) {
        Object f = process.file(fd);
        if (f instanceof VfioDevice d) {
            d.close();
        } else if (f instanceof IommuGroup g) {
            g.close();
        }
        return process.closeFile(fd);
    }

    private KvmResult refused(String call, String what, Errno e) {
        stats.denied++;
        if (trace.on(TraceCategory.PASSTHROUGH)) {
            trace.emit(TraceCategory.PASSTHROUGH, -1, "vfio_refused", "call", call, "what", what, "errno", e.name(),
                "process", process.name());
        }
        return KvmResult.error(e);
    }
}
