package io.pseries.core.host;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.pseries.core.trace.Trace;
import io.pseries.core.trace.TraceCategory;

/**
 * The VMM's side of the host: its open device files and its virtual memory areas.
 *
 * <pre>
 *  open(device) ─► fd            mmap(fd, pgoff, npages) ─► device.mmap check ─► Vma (empty)
 *  touch(vma, page) ─► present? phys : device.fault ─► insert / SIGBUS      ('fault' events)
 *  zap(device, pgoff, n) ─► every VMA of that file drops its pages in the range
 *  munmap(vma), close(fd) ─► the device is released when neither an fd nor a VMA holds it
 * </pre>
 *
 * The map count follows Linux's {@code do_mmap}: a new mapping is refused with {@code ENOMEM}
 * when the process already has more than {@code vm.max_map_count} of them.
 *
 * <p>Threading: the machine's thread only.
 */
public final class VmmProcess {
    /** Where the VMM's mappings are placed (a bump allocator; addresses are never reused). */
    public static final long MMAP_BASE = 0x7e00_0000_0000L;
    private static final int FIRST_FD = 10;

    private final HostConfig config;
    private final HostStats stats;
    private final Trace trace;
    private final Map<Integer, KvmDevice> fds = new TreeMap<>();
    private final Map<KvmDevice, Integer> refs = new HashMap<>();
    private final TreeMap<Long, Vma> vmas = new TreeMap<>(Long::compareUnsigned);
    private long next = MMAP_BASE;
    private int nextFd = FIRST_FD;
    private java.util.function.Consumer<KvmDevice> releaser = d -> { };
    /** Files other than KVM devices: eventfds, VFIO group and device files. */
    private final Map<Integer, Object> files = new TreeMap<>();
    /** The numbers the next KVM devices take ({@link #numberDevicesAs}). */
    private final java.util.ArrayDeque<Integer> deviceNumbers = new java.util.ArrayDeque<>();
    /** The files a script opened ({@link #openedByScript}), by identity: they keep the mark when renumbered. */
    private final Map<Object, Boolean> scriptFiles = new java.util.IdentityHashMap<>();
    private final String name;
    private final java.util.function.LongSupplier eventFdIds;

    VmmProcess(HostConfig config, HostStats stats, Trace trace, String name, java.util.function.LongSupplier eventFdIds) {
        this.config = config;
        this.stats = stats;
        this.trace = trace;
        this.name = name;
        this.eventFdIds = eventFdIds;
    }

    /** The process's name on the host (e.g. {@code qemu-vm0}). */
    public String name() {
        return name;
    }

    /** Opens a descriptor on a file that is not a KVM device (an eventfd, a VFIO group or device). */
    public int openFile(Object f) {
        int fd = nextFd++;
        files.put(fd, f);
        return fd;
    }

    /**
     * {@code fd} was opened by the VMM's user, not by its devices: a script's {@code m.host.eventfd()}
     * or {@code m.host.vfioOpen()} (a host-group checkpoint opens those again itself; the devices'
     * own files their restore re-makes).
     */
    public void openedByScript(int fd) {
        Object f = files.get(fd);
        if (f != null) {
            scriptFiles.put(f, Boolean.TRUE);
        }
    }

    /** Whether the file behind {@code fd} was opened by a script ({@link #openedByScript}). */
    public boolean isScriptFile(int fd) {
        Object f = files.get(fd);
        return f != null && scriptFiles.containsKey(f);
    }

    /** How many files other than KVM devices the table holds (eventfds, VFIO groups and devices). */
    public int fileCount() {
        return files.size();
    }

    /** The non-device file behind {@code fd}, or {@code null}. */
    public Object file(int fd) {
        return files.get(fd);
    }

    /** The eventfd behind {@code fd} in this process's table, or {@code null} (another process's number means nothing here). */
    public io.pseries.core.host.pt.EventFd eventFd(int fd) {
        return files.get(fd) instanceof io.pseries.core.host.pt.EventFd e ? e : null;
    }

    /** The descriptor of a non-device file in this table, or -1. */
    public int fdOf(Object f) {
        for (Map.Entry<Integer, Object> e : files.entrySet()) {
            if (e.getValue() == f) {
                return e.getKey();
            }
        }
        return -1;
    }

    /**
     * A host-group checkpoint's restored VMM numbers its files as the source's did: each file
     * descriptor {@code moves} names (this table's number to the source's) moves, the others
     * take the lowest numbers left, and the next descriptor is {@code nextFd} or past every one in
     * use. Returns null, or why it cannot (a target that is a KVM device's, two files onto one
     * number), changing nothing then.
     */
    public String renumberFiles(Map<Integer, Integer> moves, int nextFd) {
        Map<Integer, Object> out = new TreeMap<>();
        for (Map.Entry<Integer, Integer> e : moves.entrySet()) {
            Object f = files.get(e.getKey());
            if (f == null) {
                return "descriptor " + e.getKey() + " is no open file";
            }
            if (fds.containsKey(e.getValue())) {
                return "descriptor " + e.getValue() + " is a KVM device of this VMM";
            }
            if (out.put(e.getValue(), f) != null) {
                return "descriptor " + e.getValue() + " would hold two files";
            }
        }
        // the files no role names (closed on the source's side at another time) take the lowest numbers left
        int free = FIRST_FD;
        for (Map.Entry<Integer, Object> e : files.entrySet()) {
            if (moves.containsKey(e.getKey())) {
                continue;
            }
            while (out.containsKey(free) || fds.containsKey(free)) {
                free++;
            }
            out.put(free, e.getValue());
        }
        int highest = Math.max(out.isEmpty() ? -1 : ((TreeMap<Integer, Object>) out).lastKey(),
            fds.isEmpty() ? -1 : ((TreeMap<Integer, KvmDevice>) fds).lastKey());
        files.clear();
        files.putAll(out);
        this.nextFd = Math.max(nextFd, highest + 1);
        return null;
    }

    /**
     * Descriptors below {@code fd} are not handed out any more (a host-group checkpoint's
     * restored VMM, before its restore opens anything: what it opens then cannot take a number
     * the source's files hold, which its own files are renumbered to afterwards).
     */
    public void skipTo(int fd) {
        nextFd = Math.max(nextFd, fd);
    }

    /** The descriptor the next open gets. */
    public int nextFd() {
        return nextFd;
    }

    /** {@code eventfd(2)}: a new eventfd and its descriptor. */
    public int eventfd() {
        return openFile(new io.pseries.core.host.pt.EventFd(name, eventFdIds.getAsLong()));
    }

    /** close(2) of a non-device file: EBADF for an unknown one; the caller released what it held. */
    public KvmResult closeFile(int fd) {
        Object f = files.remove(fd);
        if (f != null) {
            scriptFiles.remove(f);
        }
        return f == null ? KvmResult.error(Errno.EBADF) : KvmResult.ok();
    }

    void onRelease(java.util.function.Consumer<KvmDevice> r) {
        this.releaser = r;
    }

    /**
     * A host-group checkpoint's restored VMM: the next KVM devices it creates take these numbers,
     * in order (the source's), each while it is free; {@code null} or empty: numbered as usual.
     */
    public void numberDevicesAs(int[] fds) {
        deviceNumbers.clear();
        for (int fd : fds == null ? new int[0] : fds) {
            deviceNumbers.add(fd);
        }
    }

    /** Opens a file descriptor on a device (KVM_CREATE_DEVICE's anon inode). */
    int open(KvmDevice d) {
        Integer wanted = deviceNumbers.poll();
        int fd = wanted != null && wanted >= 0 && !fds.containsKey(wanted) && !files.containsKey(wanted) ? wanted : nextFd++;
        nextFd = Math.max(nextFd, fd + 1);
        fds.put(fd, d);
        refs.merge(d, 1, Integer::sum);
        return fd;
    }

    /** The device behind {@code fd}, or {@code null} (EBADF). */
    public KvmDevice device(int fd) {
        return fds.get(fd);
    }

    /** The open descriptors, in order. */
    public Map<Integer, KvmDevice> fds() {
        return new TreeMap<>(fds);
    }

    /** close(2): EBADF for an unknown descriptor. */
    public KvmResult close(int fd) {
        KvmDevice d = fds.remove(fd);
        if (d == null) {
            return KvmResult.error(Errno.EBADF);
        }
        unref(d);
        return KvmResult.ok();
    }

    private void unref(KvmDevice d) {
        int n = refs.merge(d, -1, Integer::sum);
        if (n <= 0) {
            refs.remove(d);
            releaser.accept(d);
        }
    }

    /** The outcome of mmap: the new VMA, or the errno. */
    public record MmapResult(Vma vma, Errno errno) {
        public boolean isOk() {
            return errno == null;
        }
    }

    /** An anonymous mapping (guest RAM). */
    public MmapResult mmapAnonymous(String name, long bytes) {
        long pages = (bytes + config.pageSize() - 1) >>> config.pageShift();
        if (stats.vmas > config.maxMapCount()) {
            return new MmapResult(null, Errno.ENOMEM);
        }
        return new MmapResult(add(new Vma(name, place(pages), pages, config.pageShift(), 0, -1, null)), null);
    }

    /**
     * mmap(2) of a device file: {@code npages} host pages from file page {@code pgoff}. EBADF for
     * an unknown descriptor, EINVAL for a zero length, ENOMEM past the map count, or the device's
     * own answer. Nothing is populated.
     */
    public MmapResult mmap(int fd, long pgoff, long npages, String name) {
        KvmDevice d = fds.get(fd);
        if (d == null) {
            return new MmapResult(null, Errno.EBADF);
        }
        if (npages <= 0 || pgoff < 0) {
            return new MmapResult(null, Errno.EINVAL);
        }
        if (stats.vmas > config.maxMapCount()) {
            return new MmapResult(null, Errno.ENOMEM);
        }
        Errno e = d.mmap(pgoff, npages);
        if (e != null) {
            return new MmapResult(null, e);
        }
        refs.merge(d, 1, Integer::sum);
        return new MmapResult(add(new Vma(name, place(npages), npages, config.pageShift(), pgoff, fd, d)), null);
    }

    private long place(long pages) {
        long start = next;
        next += (pages + 1) << config.pageShift(); // one guard page between mappings
        return start;
    }

    private Vma add(Vma v) {
        vmas.put(v.start(), v);
        stats.vmas++;
        stats.bytesMapped += v.size();
        return v;
    }

    /** munmap(2) of a whole VMA; its inserted pages go, and its file reference is dropped. */
    public KvmResult munmap(Vma v) {
        if (vmas.get(v.start()) != v) {
            return KvmResult.error(Errno.EINVAL);
        }
        vmas.remove(v.start());
        stats.vmas--;
        stats.bytesMapped -= v.size();
        if (v.file() != null) {
            stats.pagesMapped -= v.pagesMapped();
            unref(v.file());
        }
        return KvmResult.ok();
    }

    public List<Vma> vmas() {
        return new ArrayList<>(vmas.values());
    }

    /** The VMA covering user address {@code hva}, or {@code null}. */
    public Vma find(long hva) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(hva);
        return e != null && e.getValue().contains(hva) ? e.getValue() : null;
    }

    /**
     * An access to page {@code i} of a device VMA: the inserted page if present, else the
     * file's fault handler runs (counted, traced as a {@code fault} event) and its page is
     * inserted. Returns the page's host physical address, or -1 for SIGBUS.
     */
    public long touch(Vma v, long i, int cpu) {
        long phys = v.physAddr(i);
        if (phys >= 0) {
            return phys;
        }
        long pgoff = v.pgoff() + i;
        FaultResult r = v.file().fault(v.pgoff(), pgoff);
        stats.faults++;
        if (r.isSigbus()) {
            stats.sigbus++;
        } else {
            v.insert(i, r.physAddr());
            stats.pagesMapped++;
        }
        if (trace.on(TraceCategory.FAULT)) {
            trace.emit(TraceCategory.FAULT, cpu, r.isSigbus() ? "sigbus" : "fault", "vma", v.name(),
                "fd", v.fd(), "pgoff", pgoff, "page", i, "phys", r.physAddr());
        }
        return r.isSigbus() ? -1 : r.physAddr();
    }

    /**
     * {@code unmap_mapping_range} on a device file: every VMA of the file drops its pages in file
     * pages [{@code pgoff}, {@code pgoff + npages}); the next touch faults again. Returns the
     * pages removed.
     */
    public long zap(KvmDevice file, long pgoff, long npages) {
        long n = 0;
        for (Vma v : vmas.values()) {
            if (v.file() == file) {
                n += v.zapFileRange(pgoff, pgoff + npages);
            }
        }
        stats.zaps++;
        stats.pagesZapped += n;
        stats.pagesMapped -= n;
        if (trace.on(TraceCategory.FAULT)) {
            trace.emit(TraceCategory.FAULT, -1, "zap", "pgoff", pgoff, "pages", npages, "removed", n);
        }
        return n;
    }
}
