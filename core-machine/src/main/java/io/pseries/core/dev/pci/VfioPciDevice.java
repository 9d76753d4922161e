package io.pseries.core.dev.pci;

import io.pseries.core.dev.DeviceHost;
import io.pseries.core.dt.DtNode;
import io.pseries.core.host.AccessPath;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.VfioDevice;
import io.pseries.core.host.pt.VfioDriver;
import io.pseries.core.mem.MmioRegion;

/**
 * QEMU's vfio-pci device: a host PCI function passed through to the guest. The guest sees a
 * PCI function with the host function's identity, its INTx pin, two 32-bit memory BARs (BAR0,
 * and BAR4 holding the MSI-X table and PBA at offsets 0 and 0x2000, as on an 82599) and an MSI-X capability at 0x70
 * whose table the VMM emulates; the VMM holds the function through VFIO and arms its
 * interrupts as QEMU 7.2 does (hw/vfio/pci.c, facts §2.8):
 *
 * <pre>
 *  realize         open the IOMMU group (held by another VMM: "error opening /dev/vfio/N:
 *                  Device or resource busy"), get the device fd, arm INTx with an eventfd
 *  ibm,change-msi  firmware writes each granted vector's message: address the PHB's MSI window,
 *                  data the guest interrupt number (nothing is armed yet)
 *  MSI-X enable    vfio_msix_enable: INTx disarmed; vector 0 armed to an eventfd nobody reads,
 *                  then released; the vector notifiers installed (use() for every unmasked vector)
 *  use(v, msg)     (the guest unmasks v) an eventfd the VMM polls; in-kernel irqchip: a second
 *                  eventfd with KVM_IRQFD(gsi = msg data); VFIO is given the KVM one, and the
 *                  irqbypass tokens match: linked. v past the vectors armed so far: every vector
 *                  is disarmed and armed again (QEMU 7.2 grows the set that way: links re-made)
 *  release(v)      (the guest masks v) VFIO is given the VMM's eventfd: the link breaks, and a
 *                  vector firing now wakes the VMM, which latches its PBA bit; the unmask that
 *                  follows re-links it and sends the latched message once, through the VMM
 *  MSI-X disable   every vector released and disarmed, the irqfds deassigned, INTx armed again
 *  kernelIrqchip 'off': no irqfd; every vector signals the VMM's eventfd: one wakeup (an exit of
 *                  kind irq) per MSI, a store of its data to the MSI window
 *  reset / irqchip switch: as a disable; after a switch the guest's enabled state is re-applied
 *  INTx            eventfd ─► the VMM raises the pin (never bypassed); the guest's EOI lowers
 *                  it and unmasks, and a level still up fires again
 * </pre>
 *
 * <p>The vectors' half of this (from MSI-X enable to disable, and what a host-group checkpoint
 * saves of them) is {@link VfioMsixVectors}; this class keeps the function's identity, BARs and
 * node, the VFIO group and device it holds, INTx, and the MSI-X messages it sends.
 *
 * <p>Threading: the machine's thread only.
 */
public final class VfioPciDevice extends PciDevice {
    /** Where the MSI-X capability sits, and where its table and PBA are in BAR4. */
    public static final int MSIX_CAP = 0x70;
    public static final int MSIX_BAR = 4;
    public static final int MSIX_PBA_OFFSET = 0x2000;
    static final long BAR0_SIZE = 0x20000;
    static final long BAR4_SIZE = 0x4000;

    private final HostPciFunction fn;
    private final MsixCapability msix;
    private Host host;
    private DeviceHost machine;
    private VfioDriver vfio;
    private int groupFd = -1;
    private int deviceFd = -1;
    private int intxFd = -1;
    /** The MSI-X vectors armed while the guest has MSI-X on (never armed when the function has no MSI-X). */
    private final VfioMsixVectors vectors;

    public VfioPciDevice(String id, HostPciFunction fn) {
        super("vfio-pci", id, fn.vendor(), fn.device(), fn.classCode(), fn.vendor(), 0, fn.hasIntx() ? 1 : 0);
        this.fn = fn;
        this.msix = fn.msixVectors() > 0 ? new MsixCapability(MSIX_CAP, fn.msixVectors(), MSIX_BAR, 0, MSIX_PBA_OFFSET)
            : null;
        if (msix != null) {
            attachMsix(msix);
        }
        this.vectors = new VfioMsixVectors(this, msix);
    }

    /** The host function behind this device. */
    public HostPciFunction hostFunction() {
        return fn;
    }

    /** The VFIO device file the VMM holds, or {@code null} before realize. */
    public VfioDevice vfioDevice() {
        return vfio == null ? null : vfio.device(deviceFd);
    }

    public int deviceFd() {
        return deviceFd;
    }

    Host host() {
        return host;
    }

    VfioDriver vfio() {
        return vfio;
    }

    @Override
    public int msiVectors() {
        return 0;
    }

    @Override
    public int msixEntries() {
        return fn.msixVectors();
    }

    @Override
    protected String nodeName() {
        return (fn.classCode() >> 16) == 0x02 ? "ethernet" : "pci";
    }

    /**
     * The PCI bus address of BAR {@code bar} (0 or 4): firmware's assignment in the PHB's 32-bit
     * memory window, 256 KiB per function by bus and slot.
     */
    public long barAddress(int bar) {
        long base = 0x8000_0000L + (((long) bus().number() << 5) | slot()) * 0x40000L;
        return bar == 0 ? base : base + BAR0_SIZE;
    }

    /** The guest-physical address of BAR {@code bar} (through the PHB's 32-bit memory window). */
    public long barCpuAddress(int bar) {
        return SpaprPhb.MEM32_CPU_BASE + barAddress(bar);
    }

    @Override
    protected void writeProperties(DtNode n) {
        long cfg = configAddress();
        // config space, BAR0 and BAR4 (the MSI-X table), 32-bit memory
        n.setCells("reg", cfg, 0, 0, 0, 0, 0x2000010L | cfg, 0, 0, 0, BAR0_SIZE, 0x2000020L | cfg, 0, 0, 0, BAR4_SIZE);
        // what firmware assigned (non-relocatable, in the 32-bit memory window)
        n.setCells("assigned-addresses", 0x82000010L | cfg, 0, barAddress(0), 0, BAR0_SIZE,
            0x82000020L | cfg, 0, barAddress(4), 0, BAR4_SIZE);
        if (fn.msixVectors() > 0) {
            n.setCells("ibm,req#msi-x", fn.msixVectors());
        }
    }

    @Override
    void resetConfig() {
        super.resetConfig();
        if (bus() != null) {
            // memory BARs, 32-bit type, not prefetchable: the address alone
            setConfig32(0x10, (int) barAddress(0));
            setConfig32(0x20, (int) barAddress(4));
        }
    }

    @Override
    protected void realize(DeviceHost m) {
        this.machine = m;
        this.host = m.host();
        this.vfio = host.vfio();
        resetConfig();
        KvmResult g = vfio.openGroup(fn.group().number());
        if (!g.isOk()) {
            throw new IllegalArgumentException(String.format("vfio %s: error opening %s: %s", fn.addr(),
                fn.group().path(), g.errno().message()));
        }
        groupFd = g.ret();
        KvmResult d = vfio.getDeviceFd(groupFd, fn.addr());
        if (!d.isOk()) {
            vfio.close(groupFd);
            groupFd = -1;
            throw new IllegalArgumentException(String.format("vfio %s: error getting device from group %d: %s",
                fn.addr(), fn.group().number(), d.errno().message()));
        }
        deviceFd = d.ret();
        if (fn.hasIntx()) {
            intxFd = host.process().eventfd();
            host.process().eventFd(intxFd).addWaiter(this::intxInterrupt);
            intxEnable();
        }
        if (msix != null) {
            msix.setSink((v, address, data) -> sendMessage(address, data));
            m.mmio().map(new MmioRegion("vfio-pci " + fn.addr() + " MSI-X", barCpuAddress(MSIX_BAR),
                msix.span(), new MsixTableRegion(msix, m.trace(), "vfio-pci " + fn.addr())));
        }
        host.addIrqchipListener(new Host.IrqchipListener() {
            @Override
            public void changing() {
                if (vectors.armed()) {
                    msixDisable();
                }
            }

            @Override
            public void changed() {
                if (msix != null && msix.enabled()) {
                    msixEnable();
                }
            }
        });
    }

    @Override
    protected void msixControlWritten(boolean wasEnabled, boolean isEnabled) {
        if (vfio == null) {
            return;
        }
        if (!wasEnabled && isEnabled) {
            msixEnable();
        } else if (wasEnabled && !isEnabled) {
            msixDisable();
        }
    }

    @Override
    void reset() {
        if (vectors.armed()) {
            msixDisable();
        }
        super.reset();
    }

    /** A restore begins: the vectors armed now go (their links break); the restored state arms them again. */
    @Override
    void restoreBegin() {
        if (vectors.armed()) {
            msixDisable();
        }
    }

    /**
     * The end of a restore. With the controller in the kernel, the machine's post-load connected
     * the device afresh, and its irqchip change armed the restored vectors as a CAS switch does:
     * irqfds and links (set_mapped) as the device connected, before the post-load fed it the
     * sources' configuration, so each linked HW interrupt is routed with the guest's EISN (facts
     * §5.2, §2.4 step 7). Emulated, nothing was connected: the vectors are armed here, before the
     * VM runs.
     */
    @Override
    void postLoad() {
        if (msix != null && msix.enabled() && !vectors.armed() && vfio != null) {
            msixEnable();
        }
    }

    private void intxEnable() {
        vfio.setIrqs(deviceFd, VfioDevice.INDEX_INTX, 0, 1, new int[] {intxFd});
    }

    /** vfio_msix_enable: INTx disarmed, then the vectors ({@link VfioMsixVectors#enable}). */
    private void msixEnable() {
        if (fn.hasIntx()) {
            vfio.setIrqs(deviceFd, VfioDevice.INDEX_INTX, 0, 0, null);
        }
        vectors.enable();
    }

    /** vfio_msix_disable: the vectors go, then INTx is armed again. */
    private void msixDisable() {
        vectors.disable();
        if (fn.hasIntx()) {
            intxEnable();
        }
    }

    /** msi_send_message: a store of the data to the address, which on this PHB is its MSI window. */
    private void sendMessage(long address, int data) {
        if (address != SpaprPhb.MSI_WINDOW) {
            machine.trace().guestError(-1, String.format("vfio-pci %s: MSI-X message to 0x%x, not the MSI window",
                fn.addr(), address), "address", address);
            return;
        }
        if (machine.irqSpace().isClaimed(data)) {
            machine.irq(data).pulse();
        }
    }

    /** VFIO's INTx eventfd woke the VMM: the pin goes up. */
    private void intxInterrupt() {
        host.charge(ExitKind.IRQ, AccessPath.VMM_EXIT);
        host.stats().passthrough().intxRelays++;
        if (!intxAsserted()) {
            super.setIntx(true);
        }
    }

    /** The guest's EOI lowers the pin (QEMU's vfio_intx_eoi) and unmasks: a level still up fires again. */
    @Override
    public void setIntx(boolean level) {
        super.setIntx(level);
        if (!level && vfioDevice() != null) {
            vfioDevice().unmaskIntx();
        }
    }

    /** Per vector the eventfd VFIO signals now (the KVM one or the VMM's), -1 for a vector not in use. */
    public int[] vectorEventFds() {
        return vectors.eventFds();
    }

    /**
     * Every descriptor this VMM device holds, by role: the group, the device, the INTx eventfd,
     * then per vector its VMM eventfd and its KVM eventfd (-1 where none). A host-group
     * checkpoint pairs a restored device's with the source's to number them alike.
     */
    public int[] descriptors() {
        int[] out = new int[3 + 2 * vectors.count()];
        out[0] = groupFd;
        out[1] = deviceFd;
        out[2] = intxFd;
        vectors.descriptors(out, 3);
        return out;
    }

    /** The VMM's files were renumbered ({@link io.pseries.core.host.VmmProcess#renumberFiles}): each held descriptor follows. */
    public void renumber(java.util.function.IntUnaryOperator to) {
        groupFd = groupFd < 0 ? groupFd : to.applyAsInt(groupFd);
        deviceFd = deviceFd < 0 ? deviceFd : to.applyAsInt(deviceFd);
        intxFd = intxFd < 0 ? intxFd : to.applyAsInt(intxFd);
        vectors.renumber(to);
    }

    /** Per vector (none while MSI-X is off) the guest interrupt its KVM route was made for (the MSI data then), -1 none. */
    public int[] vectorGsis() {
        return vectors.gsis();
    }

    /** Per vector whether the VMM relays its eventfd (it was used with a message; MSI-X enable's vector 0 is not). */
    public boolean[] vectorsRelayed() {
        return vectors.relayed();
    }

    /** How many vectors VFIO was armed for (QEMU's nr_vectors: it only grows while MSI-X is on). */
    public int armedVectors() {
        return vectors.armedCount();
    }

    /**
     * A host-group checkpoint's restore, after this device armed its vectors again: each vector's
     * VMM state made as the source's. A restore uses only the vectors unmasked now, with their
     * messages now; the source also holds those the guest masked after their use (a VMM eventfd,
     * its relay, the KVM route made for the message then) and counts every vector it ever armed.
     * A vector the source used gets a VMM eventfd; a route on another guest interrupt is made
     * again (a KVM eventfd and its irqfd); VFIO itself is not armed here (the caller arms it as
     * the source's was). {@code used}, {@code relayed} and {@code gsi} hold one entry per vector
     * (none: MSI-X off). Returns null, or why the source's state cannot be made here.
     */
    public String restoreVectors(boolean[] used, boolean[] relayed, int[] gsi, int armed) {
        return vectors.restore(used, relayed, gsi, armed);
    }

    public int intxEventFd() {
        return intxFd;
    }

    public int groupFd() {
        return groupFd;
    }
}
