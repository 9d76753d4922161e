package io.pseries.script.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;

import io.pseries.core.Machine;
import io.pseries.core.host.Host;
import io.pseries.core.host.HostLayout;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.MemSlot;
import io.pseries.core.host.Vma;
import io.pseries.core.util.Json;

/**
 * The Java half of {@code m.host}: the simulated host under one machine as plain data (its KVM
 * devices, the VMM's VMAs, the KVM memory slots, the counters, the layout figures) and the raw
 * device-attribute calls of {@code m.host.xive} and {@code m.host.xics}.
 *
 * <pre>
 *  devices() vmas() memslots() stats() layout()  ─► JSON of the live host
 *  attr(type, call, group, attr, data)  ─► KVM_{GET,SET,HAS}_DEVICE_ATTR on the VM's device of that type
 *                                         ─► { ret, errno, data }  (EBADF when no such device is open)
 * </pre>
 *
 * Attribute calls go through the VM exactly as the VMM's own do (counted, traced as {@code kvm}
 * events); bad groups, attributes or data get the kernel's errno, never an exception.
 *
 * <p>Threading: the script's thread, while the machine is paused (as every machine call).
 */
public final class HostBinding {
    /** The machine now: a checkpoint (--checkpoint-invariance) may put a restored one in its place. */
    private final java.util.function.Supplier<Machine> machine;

    public HostBinding(Machine m) {
        this(() -> m);
    }

    HostBinding(java.util.function.Supplier<Machine> machine) {
        this.machine = machine;
    }

    private Host host() {
        return machine.get().host();
    }

    @HostAccess.Export
    public String devices() {
        List<Object> l = new ArrayList<>();
        for (Host.DeviceInfo d : host().devices()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("fd", d.fd());
            e.put("type", d.typeName());
            e.put("typeNumber", d.type());
            e.put("name", d.name());
            e.put("attributes", d.attributes());
            l.add(e);
        }
        return Json.write(l);
    }

    @HostAccess.Export
    public String vmas() {
        List<Object> l = new ArrayList<>();
        for (Vma v : host().vmas()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", v.name());
            e.put("start", v.start());
            e.put("size", v.size());
            e.put("pages", v.pages());
            e.put("pagesMapped", v.pagesMapped());
            e.put("fd", v.file() == null ? null : v.fd());
            e.put("pgoff", v.file() == null ? null : v.pgoff());
            l.add(e);
        }
        return Json.write(l);
    }

    @HostAccess.Export
    public String memslots() {
        List<Object> l = new ArrayList<>();
        for (MemSlot s : host().memslots().list()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("slot", s.slot());
            e.put("name", s.name());
            e.put("gpa", s.gpa());
            e.put("size", s.size());
            e.put("hva", s.hva());
            l.add(e);
        }
        return Json.write(l);
    }

    @HostAccess.Export
    public String stats() {
        return Json.write(host().stats().toMap());
    }

    @HostAccess.Export
    public String layout() {
        return Json.write(HostLayout.of(host()));
    }

    /** The groups a device names, for resolving {@code 'SOURCE'} to its number. */
    @HostAccess.Export
    public long groupNumber(String type, String name) {
        KvmDevice d = device(type);
        if (d != null) {
            for (long g = 0; g < 64; g++) {
                if (name.equals(d.groupName(g))) {
                    return g;
                }
            }
        }
        return -1;
    }

    @HostAccess.Export
    public boolean present(String type) {
        return device(type) != null;
    }

    /**
     * One attribute call on the VM's device of {@code type} ({@code "xive"} or {@code "xics"}):
     * {@code call} is {@code "get"}, {@code "set"} or {@code "has"}; {@code data} the u64 words a
     * set passes as comma-separated decimal words (null: a bad user pointer). Returns
     * {@code { ret, errno, data }} as JSON.
     */
    @HostAccess.Export
    public String attr(String type, String call, long group, long attr, String words) {
        int fd = fd(type);
        long[] data = null;
        if (words != null) {
            String[] w = words.isEmpty() ? new String[0] : words.split(",");
            data = new long[w.length];
            for (int i = 0; i < w.length; i++) {
                data[i] = new java.math.BigInteger(w[i]).longValue();
            }
        }
        KvmResult r = switch (call) {
            case "get" -> host().vm().getAttr(fd, group, attr);
            case "set" -> host().vm().setAttr(fd, group, attr, data);
            default -> host().vm().hasAttr(fd, group, attr);
        };
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ret", r.ret());
        out.put("errno", r.errno() == null ? null : r.errno().name());
        List<Long> d = new ArrayList<>();
        for (long w : r.data()) {
            d.add(w);
        }
        if ("get".equals(call)) {
            out.put("data", d);
        }
        return Json.write(out);
    }

    // ------------------------------------------------------------------ pass-through

    /** {@code m.host.ocxl()}: the AFU interrupts the VMM holds for the guest (OpenCAPI RFC), as JSON. */
    @HostAccess.Export
    public String ocxl() {
        return Json.write(machine.get().ocapi() == null ? List.of() : machine.get().ocapi().info());
    }

    /** {@code m.host.links()}: every irqfd of the VM with its link state, as JSON. */
    @HostAccess.Export
    public String links() {
        List<Object> l = new ArrayList<>();
        io.pseries.core.host.pt.IrqBypassManager bypass = host().physical().bypass();
        for (io.pseries.core.host.pt.Irqfd i : host().vm().irqfds().list()) {
            Map<String, Object> e = new LinkedHashMap<>();
            int linked = host().vm().passthrough().linked(i.gsi());
            e.put("guestIrq", i.gsi());
            e.put("hostIrq", linked != 0 ? Integer.valueOf(linked) : null);
            e.put("eventfd", host().process().fdOf(i.token()));
            e.put("state", linked != 0 && i.producer() != null ? "bypass" : "software");
            String why;
            if (linked != 0 && i.producer() != null) {
                why = null;
            } else if (i.failure() != null) {
                why = "kvmppc_set_passthru_irq failed: " + i.failure();
            } else if (!i.consumerRegistered()) {
                why = "the irqbypass consumer did not register (EBUSY: the eventfd already has one)";
            } else if (!bypass.hasProducer(i.token())) {
                why = "no VFIO vector signals this eventfd: no producer with its token";
            } else {
                why = "not linked";
            }
            e.put("why", why);
            l.add(e);
        }
        return Json.write(l);
    }

    private static String result(KvmResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ret", r.ret());
        out.put("errno", r.errno() == null ? null : r.errno().name());
        return Json.write(out);
    }

    /** {@code m.host.irqfd(guestIrq, eventfd)}: KVM_IRQFD on this VM with a descriptor of this VMM. */
    @HostAccess.Export
    public String irqfd(long gsi, int fd, boolean deassign) {
        return result(deassign ? host().vm().irqfds().deassign(fd, gsi) : host().vm().irqfds().assign(fd, gsi));
    }

    /** {@code m.host.eventfd()}: a new eventfd in this VMM; its descriptor. */
    @HostAccess.Export
    public int eventfd() {
        int fd = host().process().eventfd();
        host().process().openedByScript(fd);
        return fd;
    }

    /** A write(2) of 1 to an eventfd of this VMM (what a stray signal is); EBADF for another descriptor. */
    @HostAccess.Export
    public String signal(int fd) {
        io.pseries.core.host.pt.EventFd e = host().process().eventFd(fd);
        if (e == null) {
            host().stats().passthrough().denied++;
            return result(KvmResult.error(io.pseries.core.host.Errno.EBADF));
        }
        e.signal();
        return result(KvmResult.ok());
    }

    /** {@code m.host.vfio(addr)}: the VMM's own VFIO device on that function, or null. */
    @HostAccess.Export
    public String vfio(String addr) {
        for (io.pseries.core.dev.pci.PciDevice d : machine.get().phb().devices()) {
            if (d instanceof io.pseries.core.dev.pci.VfioPciDevice v && v.hostFunction().addr().equals(addr)) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("addr", addr);
                e.put("groupFd", v.groupFd());
                e.put("deviceFd", v.deviceFd());
                List<Integer> fds = new ArrayList<>();
                for (int fd : v.vectorEventFds()) {
                    fds.add(fd);
                }
                e.put("eventfds", fds);
                e.put("intxEventfd", v.intxEventFd() < 0 ? null : v.intxEventFd());
                e.put("guestIrqs", v.msiCount() == 0 ? List.of() : java.util.stream.IntStream.range(0, v.msiCount())
                    .map(k -> v.msiFirst() + k).boxed().toList());
                if (v.msixCapability() != null) {
                    Map<String, Object> x = new LinkedHashMap<>(v.msixCapability().info());
                    x.put("table", v.barCpuAddress(io.pseries.core.dev.pci.VfioPciDevice.MSIX_BAR));
                    x.put("pba", v.barCpuAddress(io.pseries.core.dev.pci.VfioPciDevice.MSIX_BAR)
                        + io.pseries.core.dev.pci.VfioPciDevice.MSIX_PBA_OFFSET);
                    x.put("capability", io.pseries.core.dev.pci.VfioPciDevice.MSIX_CAP);
                    e.put("msix", x);
                }
                return Json.write(e);
            }
        }
        return "null";
    }

    /** {@code m.host.vfioOpen(addr)}: what a VMM trying to take a function does: open its group, get its device fd. */
    @HostAccess.Export
    public String vfioOpen(String addr) {
        io.pseries.core.host.pt.HostPciFunction f = host().physical().function(addr);
        if (f == null) {
            return result(KvmResult.error(io.pseries.core.host.Errno.ENODEV));
        }
        KvmResult g = host().vfio().openGroup(f.group().number());
        if (!g.isOk()) {
            return result(g);
        }
        host().process().openedByScript(g.ret());
        KvmResult d = host().vfio().getDeviceFd(g.ret(), addr);
        if (!d.isOk()) {
            host().vfio().close(g.ret());
        } else {
            host().process().openedByScript(d.ret());
        }
        return result(d);
    }

    /** {@code m.host.setIrqs(deviceFd, start, fds)}: VFIO_DEVICE_SET_IRQS(MSI-X) with this VMM's descriptors. */
    @HostAccess.Export
    public String setIrqs(int deviceFd, int start, String fds) {
        int[] a = null;
        if (fds != null) {
            String[] w = fds.isEmpty() ? new String[0] : fds.split(",");
            a = new int[w.length];
            for (int i = 0; i < w.length; i++) {
                a[i] = Integer.parseInt(w[i]);
            }
        }
        return result(host().vfio().setIrqs(deviceFd, io.pseries.core.host.pt.VfioDevice.INDEX_MSIX, start,
            a == null ? 0 : a.length, a));
    }

    private KvmDevice device(String type) {
        return host().vm().deviceOfType(typeNumber(type));
    }

    private int fd(String type) {
        KvmDevice d = device(type);
        if (d != null) {
            for (Map.Entry<Integer, KvmDevice> e : host().process().fds().entrySet()) {
                if (e.getValue() == d) {
                    return e.getKey();
                }
            }
        }
        return -1; // no such device open: the kernel answers EBADF
    }

    private static int typeNumber(String type) {
        return "xics".equals(type) ? KvmDeviceType.XICS : KvmDeviceType.XIVE;
    }
}
