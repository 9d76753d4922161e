package io.pseries.core.dev.pci;

import io.pseries.core.dev.DeviceHost;
import io.pseries.core.dt.DtNode;
import io.pseries.core.host.AccessPath;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.PassthroughStats;
import io.pseries.core.host.pt.VfioDevice;
import io.pseries.core.host.pt.VfioDriver;

/**
 * QEMU's vfio-pci device: a host PCI function passed through to the guest. The guest sees a
 * PCI function with the host function's identity, an MSI-X capability of its table size and
 * its INTx pin; the VMM holds the function through VFIO and arms its interrupts.
 *
 * <pre>
 *  realize        open the IOMMU group (held by another VMM: "error opening /dev/vfio/N:
 *                 Device or resource busy"), get the device fd, arm INTx with an eventfd
 *  ibm,change-msi grants n vectors from guest interrupt g:
 *                 per vector an eventfd; in-kernel irqchip: KVM_IRQFD(eventfd, g + k)
 *                 (GSI = MSI data = the guest interrupt number); then VFIO_DEVICE_SET_IRQS
 *                 (MSI-X, 0, n, eventfds): where the tokens match, the kernel links
 *                 kernelIrqchip 'off': the VMM polls each eventfd: wakeup (an exit of kind irq)
 *                 ─► store of g + k to the MSI window ─► the emulated controller
 *  released / reset / irqchip switch: irqfds deassigned, vectors disarmed (links broken
 *                 first), and armed again for the irqchip now in place
 *  INTx           eventfd ─► the VMM raises the pin (never bypassed); the guest's EOI lowers
 *                 it and unmasks, and a level still up fires again
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
public final class VfioPciDevice extends PciDevice {
    private final HostPciFunction fn;
    private Host host;
    private DeviceHost machine;
    private VfioDriver vfio;
    private int groupFd = -1;
    private int deviceFd = -1;
    private int intxFd = -1;
    private int[] vectorFds = new int[0];
    private boolean[] irqfd = new boolean[0];
    private int armedFirst;

    public VfioPciDevice(String id, HostPciFunction fn) {
        super("vfio-pci", id, fn.vendor(), fn.device(), fn.classCode(), fn.vendor(), 0, fn.hasIntx() ? 1 : 0);
        this.fn = fn;
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

    @Override
    protected void writeProperties(DtNode n) {
        long cfg = configAddress();
        // config space, BAR0 (64-bit memory), BAR4 (the MSI-X table)
        n.setCells("reg", cfg, 0, 0, 0, 0, 0x3000010L | cfg, 0, 0, 0, 0x20000, 0x3000020L | cfg, 0, 0, 0, 0x4000);
        if (fn.msixVectors() > 0) {
            n.setCells("ibm,req#msi-x", fn.msixVectors());
        }
    }

    @Override
    protected void realize(DeviceHost m) {
        this.machine = m;
        this.host = m.host();
        this.vfio = host.vfio();
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
            vfio.setIrqs(deviceFd, VfioDevice.INDEX_INTX, 0, 1, new int[] {intxFd});
        }
        host.addIrqchipListener(new Host.IrqchipListener() {
            @Override
            public void changing() {
                disarm();
            }

            @Override
            public void changed() {
                if (vectorFds.length == 0) {
                    arm(msiFirst(), msiCount());
                }
            }
        });
    }

    private PassthroughStats stats() {
        return host.stats().passthrough();
    }

    @Override
    protected void msiChanged() {
        if (vfio == null) {
            return;
        }
        disarm();
        arm(msiFirst(), msiCount());
    }

    /** vfio_msix_enable: an eventfd per vector, the KVM irqfds when the irqchip is in the kernel, then SET_IRQS. */
    private void arm(int first, int n) {
        if (n == 0) {
            return;
        }
        boolean inKernel = host.vm().irqchip() != null;
        vectorFds = new int[n];
        irqfd = new boolean[n];
        armedFirst = first;
        for (int k = 0; k < n; k++) {
            int fd = host.process().eventfd();
            vectorFds[k] = fd;
            if (inKernel) {
                irqfd[k] = host.vm().irqfds().assign(fd, first + k).isOk();
            } else {
                final int gsi = first + k;
                host.process().eventFd(fd).addWaiter(() -> relay(gsi));
            }
        }
        vfio.setIrqs(deviceFd, VfioDevice.INDEX_MSIX, 0, n, vectorFds);
    }

    /** vfio_msix_disable: vectors disarmed (VFIO unregisters its producers: links break), irqfds deassigned. */
    private void disarm() {
        if (vectorFds.length == 0) {
            return;
        }
        vfio.setIrqs(deviceFd, VfioDevice.INDEX_MSIX, 0, 0, null);
        for (int k = 0; k < vectorFds.length; k++) {
            if (irqfd[k]) {
                host.vm().irqfds().deassign(vectorFds[k], armedFirst + k);
            }
            host.process().closeFile(vectorFds[k]);
        }
        vectorFds = new int[0];
        irqfd = new boolean[0];
    }

    /** The VMM's eventfd handler (kernel-irqchip off): one wakeup, one MSI window store. */
    private void relay(int gsi) {
        host.charge(ExitKind.IRQ, AccessPath.VMM_EXIT);
        stats().vmmRelays++;
        if (machine.irqSpace().isClaimed(gsi)) {
            machine.irq(gsi).pulse();
        }
    }

    /** VFIO's INTx eventfd woke the VMM: the pin goes up. */
    private void intxInterrupt() {
        host.charge(ExitKind.IRQ, AccessPath.VMM_EXIT);
        stats().intxRelays++;
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

    /** The eventfd descriptors the VMM armed per vector (in its own process), in vector order. */
    public int[] vectorEventFds() {
        return vectorFds.clone();
    }

    public int intxEventFd() {
        return intxFd;
    }

    public int groupFd() {
        return groupFd;
    }
}
