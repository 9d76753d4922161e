package io.pseries.xive.kvm;

import io.pseries.core.host.Errno;
import io.pseries.core.host.FaultResult;
import io.pseries.core.host.HostInterruptController;

/**
 * The native XIVE device file's mappings: what mmap accepts and what its two fault handlers
 * insert (book3s_xive_native.c; facts §1.1-1.4).
 *
 * <pre>
 *  mmap  pgoff 0 (TIMA):  at most 4 pages        pgoff 4 (ESB):  at most 2^20 * 2 pages
 *        any other offset, or too long: EINVAL   success records the file for later zaps
 *  TIMA fault  page 2 (OS) -> the host's physical TIMA OS page; pages 0, 1, 3 -> SIGBUS
 *  ESB fault   page p -> irq p / 2; no block -> SIGBUS; backing = pass-through or IPI;
 *              even p -> its trigger page, odd p -> its EOI page; no page (slot never set up) -> SIGBUS
 *  zap(irq)    file pages 4 + 2 irq and the next, in every VMA of the file (pass-through switch)
 * </pre>
 */
final class XiveNativeMappings {
    private final XiveNativeDevice dev;
    /** Whether an mmap succeeded ({@code xive->mapping} set), so that zaps have a file to act on. */
    private boolean mapped;

    XiveNativeMappings(XiveNativeDevice dev) {
        this.dev = dev;
    }

    Errno mmap(long pgoff, long npages) {
        if (pgoff == KvmXiveUapi.TIMA_PAGE_OFFSET) {
            if (npages > 4) {
                return Errno.EINVAL;
            }
        } else if (pgoff == KvmXiveUapi.ESB_PAGE_OFFSET) {
            if (npages > KvmXiveUapi.NR_IRQS * 2) {
                return Errno.EINVAL;
            }
        } else if (dev.vm.config().esbPerSource() && perSourceMapping(pgoff, npages)) {
            // a host that takes one source's page pair as its own mapping (the rejected per-source
            // layout; Linux refuses any ESB mapping that does not start at the window)
        } else {
            return Errno.EINVAL;
        }
        mapped = true;
        return null;
    }

    private static boolean perSourceMapping(long pgoff, long npages) {
        long rel = pgoff - KvmXiveUapi.ESB_PAGE_OFFSET;
        return rel > 0 && rel % 2 == 0 && rel < KvmXiveUapi.NR_IRQS * 2 && npages <= 2;
    }

    FaultResult fault(long vmaPgoff, long pgoff) {
        // the ESB handler works from the file offset, so a per-source mapping finds its source too
        long page = vmaPgoff == KvmXiveUapi.TIMA_PAGE_OFFSET ? pgoff - vmaPgoff : pgoff - KvmXiveUapi.ESB_PAGE_OFFSET;
        if (vmaPgoff == KvmXiveUapi.TIMA_PAGE_OFFSET) {
            return page == 2 ? FaultResult.mapped(HostXive.TIMA_OS) : FaultResult.sigbus();
        }
        long irq = page / 2;
        GuestSources.Block b = dev.sources.block(irq);
        if (b == null) {
            return FaultResult.sigbus();
        }
        int hw = GuestSources.selected(b, GuestSources.slot(irq));
        HostInterruptController.IrqInfo info = hw == 0 ? null : dev.xive.irqInfo(hw);
        if (info == null) {
            // the kernel WARNs: a slot of an existing block that GRP_SOURCE never set up
            dev.vm.trace().emit(io.pseries.core.trace.TraceCategory.FAULT, -1, "warn",
                "message", String.format("xive-kvm: accessing invalid ESB page for source %x", irq));
            return FaultResult.sigbus();
        }
        return FaultResult.mapped((page & 1) != 0 ? info.eoiPage() : info.triggerPage());
    }

    /** {@code kvmppc_xive_native_reset_mapped}: EINVAL past the interrupt space, else zaps the irq's two pages. */
    Errno resetMapped(long irq) {
        if (irq < 0 || irq >= KvmXiveUapi.NR_IRQS) {
            return Errno.EINVAL;
        }
        if (mapped) {
            dev.vm.zap(dev, KvmXiveUapi.ESB_PAGE_OFFSET + 2 * irq, 2);
        }
        return null;
    }
}
