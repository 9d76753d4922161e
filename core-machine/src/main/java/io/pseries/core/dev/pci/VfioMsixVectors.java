package io.pseries.core.dev.pci;

import java.util.function.IntUnaryOperator;

import io.pseries.core.host.AccessPath;
import io.pseries.core.host.ExitKind;
import io.pseries.core.host.Host;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.pt.EventFd;
import io.pseries.core.host.pt.VfioDevice;
import io.pseries.core.host.pt.VfioDriver;

/**
 * The MSI-X vectors a vfio-pci device arms on its host function while the guest has MSI-X on
 * (QEMU 7.2's VFIOMSIVector set, hw/vfio/pci.c): per vector the eventfd the VMM polls, and with
 * an in-kernel irqchip a second eventfd bound to a KVM irqfd on the guest interrupt the message
 * names, which VFIO signals while the vector is unmasked (the bypass link). See
 * {@link VfioPciDevice} for the sequence; this class is its vector half, from MSI-X enable to
 * disable, and the state a host-group checkpoint saves and makes again.
 *
 * <p>Threading: the machine's thread only.
 */
final class VfioMsixVectors {
    /** One MSI-X vector as QEMU's VFIOMSIVector: in use, its VMM eventfd, its KVM eventfd and GSI. */
    private static final class Vector {
        boolean use;
        int interruptFd = -1;
        Runnable handler;
        int kvmFd = -1;
        long gsi = -1;
    }

    private final VfioPciDevice dev;
    private final MsixCapability msix;
    private Vector[] vectors;
    private int nrVectors;

    VfioMsixVectors(VfioPciDevice dev, MsixCapability msix) {
        this.dev = dev;
        this.msix = msix;
    }

    /** Whether vectors are armed (MSI-X was enabled and not disabled since). */
    boolean armed() {
        return vectors != null;
    }

    private Host host() {
        return dev.host();
    }

    private VfioDriver vfio() {
        return dev.vfio();
    }

    /** vfio_msix_enable's vector part: the function in MSI-X mode with no vector usable, the notifiers installed. */
    void enable() {
        vectors = new Vector[dev.msixEntries()];
        for (int v = 0; v < vectors.length; v++) {
            vectors[v] = new Vector();
        }
        // the physical function goes into MSI-X mode with no vector usable: vector 0 armed, released
        doUse(0, false, 0);
        release(0);
        msix.setNotifier(new MsixCapability.VectorNotifier() {
            @Override
            public void use(int v, long address, int data) {
                doUse(v, true, data);
            }

            @Override
            public void release(int v) {
                VfioMsixVectors.this.release(v);
            }
        });
    }

    /** vfio_msix_vector_do_use: {@code withMessage} false is the enable's message-less use of vector 0. */
    private void doUse(int v, boolean withMessage, int data) {
        Host host = host();
        Vector vec = vectors[v];
        if (!vec.use) {
            vec.use = true;
            vec.interruptFd = host.process().eventfd();
        }
        EventFd ifd = host.process().eventFd(vec.interruptFd);
        if (vec.handler != null) {
            ifd.removeWaiter(vec.handler);
            vec.handler = null;
        }
        if (withMessage) {
            vec.handler = () -> userspaceInterrupt(v);
            ifd.addWaiter(vec.handler);
        }
        if (vec.gsi >= 0) {
            if (!withMessage) {
                removeKvmRoute(vec);
            }
        } else if (withMessage && host.vm().irqchip() != null) {
            // kvm_gsi_direct_mapping on PPC: the GSI is the MSI data, the guest interrupt number
            int fd = host.process().eventfd();
            if (host.vm().irqfds().assign(fd, data & 0xffff).isOk()) {
                vec.kvmFd = fd;
                vec.gsi = data & 0xffff;
            } else {
                host.process().closeFile(fd);
            }
        }
        int deviceFd = dev.deviceFd();
        if (nrVectors < v + 1) {
            vfio().setIrqs(deviceFd, VfioDevice.INDEX_MSIX, 0, 0, null);
            nrVectors = v + 1;
            int[] fds = new int[nrVectors];
            for (int i = 0; i < nrVectors; i++) {
                fds[i] = signalledFd(i);
            }
            vfio().setIrqs(deviceFd, VfioDevice.INDEX_MSIX, 0, nrVectors, fds);
        } else {
            vfio().setIrqs(deviceFd, VfioDevice.INDEX_MSIX, v, 1, new int[] {vec.gsi >= 0 ? vec.kvmFd : vec.interruptFd});
        }
    }

    /** vfio_msix_vector_release: with a KVM route, VFIO signals the VMM's eventfd instead (the link breaks). */
    private void release(int v) {
        Vector vec = vectors[v];
        if (vec.gsi >= 0) {
            vfio().setIrqs(dev.deviceFd(), VfioDevice.INDEX_MSIX, v, 1, new int[] {vec.interruptFd});
        }
    }

    private void removeKvmRoute(Vector vec) {
        host().vm().irqfds().deassign(vec.kvmFd, vec.gsi);
        host().process().closeFile(vec.kvmFd);
        vec.kvmFd = -1;
        vec.gsi = -1;
    }

    /** vfio_msix_disable's vector part: every vector released and disarmed, the irqfds deassigned. */
    void disable() {
        msix.unsetNotifier();
        for (int v = 0; v < nrVectors; v++) {
            if (vectors[v].use) {
                release(v);
            }
        }
        if (nrVectors > 0) {
            vfio().setIrqs(dev.deviceFd(), VfioDevice.INDEX_MSIX, 0, 0, null);
        }
        for (Vector vec : vectors) {
            if (vec.use) {
                if (vec.gsi >= 0 && host().vm().irqfds() != null) {
                    removeKvmRoute(vec);
                }
                host().process().closeFile(vec.interruptFd);
            }
        }
        vectors = null;
        nrVectors = 0;
    }

    /** vfio_msi_interrupt: the VMM's eventfd of vector {@code v} woke it: msix_notify (masked: the PBA bit). */
    private void userspaceInterrupt(int v) {
        host().process().eventFd(vectors[v].interruptFd).read();
        host().charge(ExitKind.IRQ, AccessPath.VMM_EXIT);
        host().stats().passthrough().vmmRelays++;
        msix.notify(v);
    }

    /** vfio_enable_vectors' choice: the KVM eventfd of an unmasked vector with a route, else the VMM's; -1 unused. */
    private int signalledFd(int v) {
        Vector x = vectors[v];
        return !x.use ? -1 : x.gsi < 0 || msix.masked(v) ? x.interruptFd : x.kvmFd;
    }

    // ------------------------------------------------------------------ what a host-group checkpoint reads

    /** Per vector the eventfd VFIO signals now (the KVM one or the VMM's), -1 for a vector not in use. */
    int[] eventFds() {
        int[] fds = new int[vectors == null ? 0 : nrVectors];
        for (int v = 0; v < fds.length; v++) {
            fds[v] = signalledFd(v);
        }
        return fds;
    }

    /** How many vectors there are (none while MSI-X is off). */
    int count() {
        return vectors == null ? 0 : vectors.length;
    }

    /** Per vector its VMM eventfd and its KVM eventfd (-1 where none), into {@code out} from {@code at}. */
    void descriptors(int[] out, int at) {
        for (int v = 0; v < count(); v++) {
            out[at + 2 * v] = vectors[v].interruptFd;
            out[at + 1 + 2 * v] = vectors[v].kvmFd;
        }
    }

    /** The VMM's files were renumbered: each vector's descriptors follow. */
    void renumber(IntUnaryOperator to) {
        for (Vector x : vectors == null ? new Vector[0] : vectors) {
            x.interruptFd = x.interruptFd < 0 ? x.interruptFd : to.applyAsInt(x.interruptFd);
            x.kvmFd = x.kvmFd < 0 ? x.kvmFd : to.applyAsInt(x.kvmFd);
        }
    }

    /** Per vector the guest interrupt its KVM route was made for (the MSI data then), -1 none. */
    int[] gsis() {
        int[] out = new int[count()];
        for (int v = 0; v < out.length; v++) {
            out[v] = (int) vectors[v].gsi;
        }
        return out;
    }

    /** Per vector whether the VMM relays its eventfd. */
    boolean[] relayed() {
        boolean[] out = new boolean[count()];
        for (int v = 0; v < out.length; v++) {
            out[v] = vectors[v].handler != null;
        }
        return out;
    }

    /** How many vectors VFIO was armed for (QEMU's nr_vectors). */
    int armedCount() {
        return nrVectors;
    }

    /** See {@link VfioPciDevice#restoreVectors}. */
    String restore(boolean[] used, boolean[] relayed, int[] gsi, int armed) {
        String addr = dev.hostFunction().addr();
        Host host = host();
        int n = count();
        if (used.length != n || relayed.length != n || gsi.length != n) {
            return "the source's " + addr + " had " + used.length + " MSI-X vectors in use or not, the restored one "
                + (vectors == null ? "has MSI-X off" : "has " + n);
        }
        if (armed < (n == 0 ? 0 : 1) || armed > n) {
            return "the source's " + addr + " armed " + armed + " vectors, the restored one has " + n;
        }
        for (int v = 0; v < n; v++) {
            Vector x = vectors[v];
            if (x.use && !used[v]) {
                return "vector " + v + " of " + addr + " is in use on the restored device, not on the source's";
            }
            if (!used[v] && (relayed[v] || gsi[v] >= 0)) {
                return "vector " + v + " of " + addr + " is not in use but has a relay or a KVM route";
            }
            if (!used[v]) {
                continue;
            }
            if (!x.use) {
                x.use = true;
                x.interruptFd = host.process().eventfd();
            }
            EventFd ifd = host.process().eventFd(x.interruptFd);
            if (relayed[v] && x.handler == null) {
                final int vv = v;
                x.handler = () -> userspaceInterrupt(vv);
                ifd.addWaiter(x.handler);
            } else if (!relayed[v] && x.handler != null) {
                ifd.removeWaiter(x.handler);
                x.handler = null;
            }
            if (x.gsi != gsi[v]) {
                if (x.gsi >= 0) {
                    removeKvmRoute(x);
                }
                if (gsi[v] >= 0) {
                    if (host.vm().irqchip() == null) {
                        return "vector " + v + " of " + addr + " had a KVM route, the restored VM has no in-kernel irqchip";
                    }
                    int fd = host.process().eventfd();
                    KvmResult r = host.vm().irqfds().assign(fd, gsi[v]);
                    if (!r.isOk()) {
                        host.process().closeFile(fd);
                        return "vector " + v + " of " + addr + ": KVM_IRQFD on guest interrupt " + gsi[v] + " fails: "
                            + r.errno();
                    }
                    x.kvmFd = fd;
                    x.gsi = gsi[v];
                }
            }
        }
        nrVectors = armed;
        return null;
    }
}
