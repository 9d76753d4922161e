package io.pseries.core.host.pt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.pseries.core.host.HostConfig;
import io.pseries.core.util.Suggest;

/**
 * The physical host several VMs share: the capabilities of its kernel ({@link HostConfig}),
 * its PCI functions and their IOMMU groups, and the kernel's irqbypass manager. Each VM on it
 * has its own VMM process and KVM VM ({@link io.pseries.core.host.Host}); what they share here
 * is what makes ownership a question: a function is opened by one VMM at a time, and a link
 * between a host interrupt and a guest forms only through the token the manager matches.
 *
 * <pre>
 *  pseries.host({ pci: [{ addr, msix, intx, group, vendor, device, classCode }], xive, ... })
 *     ─► functions (each its host interrupts numbered from {@link #FIRST_PCI_HW_IRQ}), groups
 *  host.machine(config) ─► a VM joins ({@link #join}); pseries.machine(config) makes a private host
 * </pre>
 *
 * <p>Threading: the thread of the machines on it (one script's).
 */
public final class PhysicalHost {
    /** Where the PHB MSI and LSI hardware numbers of PCI functions start (above the IPI pool's use). */
    public static final int FIRST_PCI_HW_IRQ = 0x1_8000;
    /** How many host interrupts PCI functions may use in all. */
    public static final int PCI_HW_IRQS = 0x8000;
    public static final int MAX_MSIX = 2048;
    public static final List<String> PCI_KEYS = List.of("addr", "msix", "intx", "group", "vendor", "device", "classCode",
        "ocapi");
    private static final Pattern ADDR = Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]");

    private final HostConfig config;
    private final Map<String, HostPciFunction> functions = new LinkedHashMap<>();
    private final Map<Integer, IommuGroup> groups = new TreeMap<>();
    private final IrqBypassManager bypass = new IrqBypassManager();
    /** The {@code pci} options the host was made from (plain data): a fresh host of the same functions. */
    private List<?> pci = List.of();
    private int vms;
    private long nextEventFd = 1;
    private boolean irqBypass = true;

    public PhysicalHost(HostConfig config) {
        this.config = config;
    }

    /** A host with the PCI functions {@code pci} describes (plain data); errors name the entry and what is wrong. */
    public static PhysicalHost of(HostConfig config, List<?> pci) {
        PhysicalHost h = new PhysicalHost(config);
        h.pci = new ArrayList<>(pci);
        int next = FIRST_PCI_HW_IRQ;
        int autoGroup = 1;
        for (Object g : pci) {
            if (g instanceof Map<?, ?> m && m.get("group") instanceof Number n) {
                autoGroup = Math.max(autoGroup, n.intValue() + 1);
            }
        }
        for (int i = 0; i < pci.size(); i++) {
            String where = "host.pci[" + i + "]";
            if (!(pci.get(i) instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("invalid host option " + where + ": expected an object such as"
                    + " { addr: '0000:01:00.0', msix: 8, intx: true }");
            }
            for (Object k : m.keySet()) {
                if (!PCI_KEYS.contains(String.valueOf(k))) {
                    throw new IllegalArgumentException("unknown host option " + where + "." + k
                        + Suggest.didYouMean(String.valueOf(k), PCI_KEYS) + "; valid options: " + String.join(", ", PCI_KEYS));
                }
            }
            if (!(m.get("addr") instanceof String addr) || !ADDR.matcher(addr).matches()) {
                throw new IllegalArgumentException("invalid host option " + where + ".addr: " + m.get("addr")
                    + "; expected a PCI address such as '0000:01:00.0' (domain:bus:slot.function, lower-case hex)");
            }
            if (h.functions.containsKey(addr)) {
                throw new IllegalArgumentException("invalid host option " + where + ".addr: '" + addr + "' is used twice");
            }
            int msix = (int) integer(where + ".msix", m.get("msix"), 0, MAX_MSIX, 8);
            boolean intx = m.get("intx") == null || Boolean.TRUE.equals(m.get("intx"));
            if (m.get("intx") != null && !(m.get("intx") instanceof Boolean)) {
                throw new IllegalArgumentException("invalid host option " + where + ".intx: " + m.get("intx")
                    + "; expected true or false");
            }
            int group = m.get("group") == null ? autoGroup++ : (int) integer(where + ".group", m.get("group"), 0, 65535, 0);
            int vendor = (int) integer(where + ".vendor", m.get("vendor"), 0, 0xffff, 0x8086);
            int device = (int) integer(where + ".device", m.get("device"), 0, 0xffff, 0x10fb);
            int cls = (int) integer(where + ".classCode", m.get("classCode"), 0, 0xffffff, 0x020000);
            int n = msix + (intx ? 1 : 0);
            if (next + n > FIRST_PCI_HW_IRQ + PCI_HW_IRQS) {
                throw new IllegalArgumentException("invalid host option " + where + ": the host's PCI functions use more"
                    + " than " + PCI_HW_IRQS + " interrupts");
            }
            IommuGroup grp = h.groups.computeIfAbsent(group, IommuGroup::new);
            HostPciFunction fn = new HostPciFunction(addr, vendor, device, cls, msix, intx, grp, next);
            Object oc = m.get("ocapi");
            if (oc != null) {
                if (!(oc instanceof Map<?, ?> om) || !om.keySet().stream().allMatch("irqs"::equals)) {
                    throw new IllegalArgumentException("invalid host option " + where + ".ocapi: " + oc
                        + "; expected { irqs: N } (the link's AFU interrupt credit, 1.." + OcxlAfu.MAX_IRQ_PER_LINK + ")");
                }
                int irqs = (int) integer(where + ".ocapi.irqs", om.get("irqs"), 1, OcxlAfu.MAX_IRQ_PER_LINK,
                    OcxlAfu.MAX_IRQ_PER_LINK);
                fn.setAfu(new OcxlAfu(fn, irqs));
            }
            h.functions.put(addr, fn);
            next += n;
        }
        return h;
    }

    private static long integer(String option, Object v, long min, long max, long dflt) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            long l = num.longValue();
            if (l >= min && l <= max) {
                return l;
            }
        }
        throw new IllegalArgumentException("invalid host option " + option + ": " + v + "; expected an integer in "
            + min + ".." + max);
    }

    public HostConfig config() {
        return config;
    }

    /** The function at {@code addr}, or {@code null}. */
    public HostPciFunction function(String addr) {
        return functions.get(addr);
    }

    public List<HostPciFunction> functions() {
        return new ArrayList<>(functions.values());
    }

    public IommuGroup group(int n) {
        return groups.get(n);
    }

    public IrqBypassManager bypass() {
        return bypass;
    }

    /** The {@code kvm_irq_bypass} module parameter (on by default). */
    public boolean irqBypass() {
        return irqBypass;
    }

    public void setIrqBypass(boolean on) {
        irqBypass = on;
    }

    /**
     * The number of the next eventfd a process on this host creates (a report's stand-in for the
     * context pointer): host-wide, never reused, and counted from 1 on every host, so two runs of
     * the same script number their eventfds alike.
     */
    public long nextEventFdId() {
        return nextEventFd++;
    }

    /** A VM joins the host: its number ({@code vm0}, {@code vm1}...). */
    public int join() {
        return vms++;
    }

    public int vmCount() {
        return vms;
    }

    /**
     * A host of the same kernel and PCI functions as this one, in their state at power-on: no
     * VM, nothing open, nothing fired (a host-group checkpoint restores into it).
     */
    public PhysicalHost fresh() {
        return of(config, pci);
    }

    /**
     * A restored host's counts (host-group checkpoint): every VM of the stream has joined again,
     * so the host's VM number is the stream's ({@code vms}, at least those that joined); the next
     * eventfd is numbered as the source would number it, unless the restore itself numbered past it.
     */
    public void continueFrom(int vms, long nextEventFd) {
        if (vms < this.vms) {
            throw new IllegalArgumentException("continueFrom: " + this.vms + " VMs joined, more than the " + vms + " given");
        }
        this.vms = vms;
        this.nextEventFd = Math.max(this.nextEventFd, nextEventFd);
    }

    /** The number the next eventfd of this host gets (a snapshot records it; {@link #nextEventFdId} takes it). */
    public long peekNextEventFdId() {
        return nextEventFd;
    }
}
