package io.pseries.core.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.pseries.core.Machine;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.Vma;
import io.pseries.core.intc.InterruptController;

/**
 * What only the simulated host has ({@code host/kvm}): which KVM interrupt device the VMM had
 * connected (type, kernel name, descriptor, the controller it served and the attribute calls
 * made on it per group), the VMM's mappings of its file (the ESB window and the TIMA: name,
 * file page offset, size in pages, and the pages faulted in) and the pass-through links the
 * kernel held (guest interrupt, host interrupt). Every machine writes it, with an empty device
 * when nothing is in the kernel, so streams of {@code kernelIrqchip} 'on' and 'off' machines
 * have the same sections and load into each other.
 *
 * <pre>
 *  save     the live device, its VMAs and the pages present when the snapshot was asked for (a
 *           running machine: before its stop, whose run-state handler's ESB loads fault in
 *           every valid source's EOI page; those are the VMM's own, which the destination's
 *           run handler makes again), the kernel's links
 *  load     checks the description holds together (device fields all empty or all set,
 *           a controller this machine has, page lists inside their mapping and ascending,
 *           links in pairs) before anything changes
 *  remap    after the machine connected its own device again ({@link Machine#kernelPostLoad}):
 *           when it is the stream's kind, the pages the source had faulted are faulted in again,
 *           so the guest's later accesses fault as they would have on the source; links the
 *           destination's device did not re-make are reported as warnings (an emulated
 *           destination has no links: its VMM relays every MSI)
 *  exact    (a checkpoint, {@link MachineSnapshot#restoreAsCheckpoint}) once the restored
 *           machine ran: the pages its own run handler faulted in that the stream does not
 *           record are zapped, so the mappings hold exactly the source's pages
 * </pre>
 *
 * The destination's descriptor and attribute counts are its own: the stream's are a record.
 */
final class HostSection implements SnapshotSection {
    static final String NAME = "host/kvm";
    private static final Schema SCHEMA = Schema.of("type", FieldType.U32, "device", FieldType.STRING,
        "controller", FieldType.STRING, "fd", FieldType.I64, "attrGroups", FieldType.STRING,
        "attrCalls", FieldType.LONGS, "vmas", FieldType.STRING, "vmaPgoff", FieldType.LONGS,
        "vmaPages", FieldType.LONGS, "faultedVma", FieldType.INTS, "faultedPage", FieldType.LONGS,
        "links", FieldType.INTS);

    /** A validated stream's description, kept from commit to {@link #remap}. */
    private record Incoming(int type, List<String> vmas, long[] pgoff, long[] pages, int[] faultedVma,
                            long[] faultedPage, int[] links) {
    }

    /** A remapped mapping of this machine and the stream's pages for it (for {@link #exact}). */
    private record Remapped(Vma vma, long[] pages) {
    }

    private final Machine m;
    private Incoming incoming;
    /** The device's mappings' pages as they were before the VM stopped, or null: the present ones. */
    private Map<Vma, long[]> faultedBeforeStop;
    private final List<Remapped> remapped = new ArrayList<>();

    HostSection(Machine m) {
        this.m = m;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int version() {
        return 1;
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    /** Streams from before this section (docs/vmstate/v1.json) recorded no device: nothing to remap. */
    @Override
    public boolean optional() {
        return true;
    }

    @Override
    public Runnable loadAbsent() {
        return () -> incoming = null;
    }

    /** The connected interrupt device's descriptor, or -1. */
    private static int interruptDeviceFd(Host h) {
        int fd = h.fd(KvmDeviceType.XIVE);
        return fd >= 0 ? fd : h.fd(KvmDeviceType.XICS);
    }

    /** A list of names as one string field (comma-separated), as this section and host/physical write them. */
    static String join(List<String> l) {
        return String.join(",", l);
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(",", -1));
    }

    /**
     * The pages present now in each mapping of the connected interrupt device's file (empty
     * when no device is connected): taken by a snapshot before the VM stops.
     */
    static Map<Vma, long[]> faultedPages(Machine m) {
        Host h = m.host();
        int fd = interruptDeviceFd(h);
        KvmDevice dev = fd < 0 ? null : h.process().device(fd);
        Map<Vma, long[]> out = new java.util.IdentityHashMap<>();
        for (Vma v : dev == null ? List.<Vma>of() : h.vmas()) {
            if (v.file() == dev) {
                out.put(v, v.presentPages());
            }
        }
        return out;
    }

    /** The pages to record: those {@link #faultedPages} gave before the stop (null: those present at save). */
    void faultedBeforeStop(Map<Vma, long[]> pages) {
        faultedBeforeStop = pages;
    }

    @Override
    public void save(SectionWriter w) {
        Host h = m.host();
        int fd = interruptDeviceFd(h);
        KvmDevice dev = fd < 0 ? null : h.process().device(fd);
        String controller = "";
        for (InterruptController c : m.controllers()) {
            if (c.inKernel()) {
                controller = c.name();
            }
        }
        List<String> groups = new ArrayList<>();
        List<Long> calls = new ArrayList<>();
        List<String> vmaNames = new ArrayList<>();
        List<Long> pgoff = new ArrayList<>();
        List<Long> pages = new ArrayList<>();
        List<Integer> fv = new ArrayList<>();
        List<Long> fp = new ArrayList<>();
        if (dev != null) {
            for (Map.Entry<String, Long> e : h.vm().attributeCounts(dev).entrySet()) {
                groups.add(e.getKey());
                calls.add(e.getValue());
            }
            for (Vma v : h.vmas()) {
                if (v.file() != dev) {
                    continue;
                }
                int idx = vmaNames.size();
                vmaNames.add(v.name());
                pgoff.add(v.pgoff());
                pages.add(v.pages());
                long[] before = faultedBeforeStop == null ? null : faultedBeforeStop.get(v);
                for (long p : before != null ? before : v.presentPages()) {
                    fv.add(idx);
                    fp.add(p);
                }
            }
        }
        w.u32("type", dev == null ? 0 : dev.type()).string("device", dev == null ? "" : dev.name())
            .string("controller", dev == null ? "" : controller).i64("fd", fd)
            .string("attrGroups", join(groups)).longs("attrCalls", calls.stream().mapToLong(Long::longValue).toArray())
            .string("vmas", join(vmaNames)).longs("vmaPgoff", pgoff.stream().mapToLong(Long::longValue).toArray())
            .longs("vmaPages", pages.stream().mapToLong(Long::longValue).toArray())
            .ints("faultedVma", fv.stream().mapToInt(Integer::intValue).toArray())
            .longs("faultedPage", fp.stream().mapToLong(Long::longValue).toArray())
            .ints("links", dev == null ? new int[0] : h.vm().passthrough().linkPairs());
    }

    @Override
    public Runnable load(SectionReader r) {
        int type = r.u32("type");
        String device = r.string("device");
        String controller = r.string("controller");
        long fd = r.i64("fd");
        List<String> groups = split(r.string("attrGroups"));
        long[] calls = r.longs("attrCalls");
        List<String> vmas = split(r.string("vmas"));
        long[] pgoff = r.longs("vmaPgoff");
        long[] pages = r.longs("vmaPages");
        int[] fv = r.ints("faultedVma");
        long[] fp = r.longs("faultedPage");
        int[] links = r.ints("links");
        if (type == 0) {
            if (!device.isEmpty() || !controller.isEmpty() || fd != -1 || !groups.isEmpty() || calls.length != 0
                || !vmas.isEmpty() || pgoff.length != 0 || pages.length != 0 || fv.length != 0 || fp.length != 0
                || links.length != 0) {
                throw r.refuse("no device is recorded (type 0) but its device, controller, fd, attribute, mapping or"
                    + " link fields are not empty");
            }
            return () -> incoming = new Incoming(0, List.of(), pgoff, pages, fv, fp, links);
        }
        if (type != KvmDeviceType.XIVE && type != KvmDeviceType.XICS) {
            throw r.refuse("field 'type' is " + type + ", not a KVM interrupt device (" + KvmDeviceType.XICS + " XICS, "
                + KvmDeviceType.XIVE + " XIVE)");
        }
        if (device.isEmpty()) {
            throw r.refuse("field 'device' is empty for device type " + type);
        }
        if (fd < 0 || fd > Integer.MAX_VALUE) {
            throw r.refuse("field 'fd' is " + fd + ", not a descriptor");
        }
        InterruptController c = m.controller(controller);
        if (c == null) {
            throw r.refuse("field 'controller' names '" + controller + "', which this machine does not have");
        }
        if (groups.size() != calls.length) {
            throw r.refuse("fields 'attrGroups' and 'attrCalls' differ in length (" + groups.size() + " and "
                + calls.length + ")");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < calls.length; i++) {
            if (groups.get(i).isEmpty() || !seen.add(groups.get(i))) {
                throw r.refuse("field 'attrGroups' has an empty or repeated group name");
            }
            if (calls[i] < 0) {
                throw r.refuse("field 'attrCalls' has a negative count for group " + groups.get(i));
            }
        }
        if (vmas.size() != pgoff.length || vmas.size() != pages.length) {
            throw r.refuse("fields 'vmas', 'vmaPgoff' and 'vmaPages' differ in length");
        }
        for (int i = 0; i < pages.length; i++) {
            if (vmas.get(i).isEmpty() || pages[i] <= 0 || pgoff[i] < 0) {
                throw r.refuse("mapping " + i + " ('" + vmas.get(i) + "') has no name, no pages or a negative offset");
            }
        }
        if (fv.length != fp.length) {
            throw r.refuse("fields 'faultedVma' and 'faultedPage' differ in length");
        }
        for (int i = 0; i < fv.length; i++) {
            if (fv[i] < 0 || fv[i] >= pages.length) {
                throw r.refuse("faulted page " + i + " names mapping " + fv[i] + ", the stream records " + pages.length);
            }
            if (fp[i] < 0 || fp[i] >= pages[fv[i]]) {
                throw r.refuse("faulted page " + fp[i] + " lies outside mapping '" + vmas.get(fv[i]) + "' ("
                    + pages[fv[i]] + " pages)");
            }
            if (i > 0 && (fv[i] < fv[i - 1] || (fv[i] == fv[i - 1] && fp[i] <= fp[i - 1]))) {
                throw r.refuse("faulted pages are not in ascending order at entry " + i);
            }
        }
        if (links.length % 2 != 0) {
            throw r.refuse("field 'links' has an odd number of elements (pairs of guest and host interrupt)");
        }
        for (int i = 0; i < links.length; i += 2) {
            if (links[i] < 0 || links[i] >= m.config().nrIrqs() || links[i + 1] <= 0) {
                throw r.refuse(String.format("link %d (guest 0x%x, host 0x%x) is outside the interrupt numbers", i / 2,
                    links[i], links[i + 1]));
            }
        }
        List<String> names = List.copyOf(vmas);
        return () -> incoming = new Incoming(type, names, pgoff, pages, fv, fp, links);
    }

    /**
     * After the machine connected its own device again: the pages the stream's device had
     * faulted in are faulted in again where this machine maps the same window, and missing
     * pass-through links become warnings.
     */
    void remap() {
        Incoming in = incoming;
        incoming = null;
        remapped.clear();
        if (in == null || in.type() == 0) {
            return;
        }
        Host h = m.host();
        int fd = h.fd(in.type());
        KvmDevice dev = fd < 0 ? null : h.process().device(fd);
        if (dev != null) {
            List<Vma> mine = new ArrayList<>();
            for (int i = 0; i < in.vmas().size(); i++) {
                Vma match = null;
                for (Vma v : h.vmas()) {
                    if (v.file() == dev && v.name().equals(in.vmas().get(i)) && v.pgoff() == in.pgoff()[i]
                        && v.pages() == in.pages()[i]) {
                        match = v;
                    }
                }
                mine.add(match);
            }
            for (int k = 0; k < in.faultedVma().length; k++) {
                Vma v = mine.get(in.faultedVma()[k]);
                if (v != null) {
                    h.process().touch(v, in.faultedPage()[k], -1);
                }
            }
            for (int i = 0; i < mine.size(); i++) {
                if (mine.get(i) != null) {
                    remapped.add(new Remapped(mine.get(i), pagesOf(in, i)));
                }
            }
        }
        // links are the in-kernel device's: a destination that serves the controllers emulated has none
        for (int i = 0; dev != null && i < in.links().length; i += 2) {
            if (h.vm().passthrough().linked(in.links()[i]) == 0) {
                m.warn(String.format("migration: the pass-through link of guest interrupt 0x%x was not made again on"
                    + " this host", in.links()[i]));
            }
        }
    }

    /** The stream's faulted pages of its mapping {@code vma} (ascending: load checked it). */
    private static long[] pagesOf(Incoming in, int vma) {
        List<Long> l = new ArrayList<>();
        for (int k = 0; k < in.faultedVma().length; k++) {
            if (in.faultedVma()[k] == vma) {
                l.add(in.faultedPage()[k]);
            }
        }
        return l.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * After a checkpoint's restored machine ran: every page of a remapped mapping that the
     * stream does not record as faulted (the run handler's ESB loads, a re-trigger's store) is
     * zapped, a run of adjacent pages at a time, so the next guest access to it faults as it
     * would have on the source. Returns the pages zapped.
     */
    long exact() {
        long n = 0;
        for (Remapped r : remapped) {
            n += zapBeyond(m, r.vma(), r.pages());
        }
        remapped.clear();
        return n;
    }

    /**
     * Zaps what mapping {@code v} of {@code m}'s VMM holds besides {@code want} (sorted page
     * numbers), in runs of consecutive pages; returns the pages zapped.
     */
    static long zapBeyond(Machine m, Vma v, long[] want) {
        long n = 0;
        long[] have = v.presentPages();
        int k = 0;
        for (int i = 0; i < have.length;) {
            while (k < want.length && want[k] < have[i]) {
                k++;
            }
            if (k < want.length && want[k] == have[i]) {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < have.length && have[j] == have[j - 1] + 1 && (k >= want.length || want[k] > have[j])) {
                j++;
            }
            n += m.host().process().zap(v.file(), v.pgoff() + have[i], have[j - 1] - have[i] + 1);
            i = j;
        }
        return n;
    }
}
