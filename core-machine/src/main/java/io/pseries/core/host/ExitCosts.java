package io.pseries.core.host;

/**
 * Virtual-time cost, in ns, of each way a guest access can leave the guest. The machine adds
 * the cost of every exit to virtual time, so a workload shows the latency difference between
 * the emulated controllers (every interrupt-controller access is an exit to the VMM) and the
 * in-kernel ones (ESB and TIMA accesses are direct once faulted in, XICS hcalls stay in the
 * kernel).
 *
 * <p>Defaults and where they come from ({@code shared/design/performance.md}, "known anchors"):
 * <ul>
 *   <li>{@link #kernelHcallNs} 1900: "a KVM hcall round trip 1.5-2.3 us on POWER9", the middle of
 *       that range. An hcall KVM serves itself (XICS-on-XIVE H_XIRR, H_EOI, H_IPI; kernel RTAS).</li>
 *   <li>{@link #vmmHcallNs} 5000: the kernel round trip plus the exit to user space; the anchor
 *       says "an MMIO exit to user space several us", and an hcall QEMU serves (every H_INT_*,
 *       every emulated XICS hcall) takes the same path out of KVM_RUN, so it gets the MMIO cost.</li>
 *   <li>{@link #mmioExitNs} 5000: "an MMIO exit to user space several us" (an ESB or TIMA access
 *       QEMU emulates).</li>
 *   <li>{@link #faultNs} 1900: no anchor; a host page fault on a VM_PFNMAP VMA is one trip into
 *       the host kernel, so it is charged as a kernel round trip.</li>
 *   <li>{@link #directNs} 0: a load or store through a mapped page never leaves the guest (its
 *       hardware cost is not modelled).</li>
 * </ul>
 *
 * <p>Immutable; any thread.
 */
public record ExitCosts(long vmmHcallNs, long kernelHcallNs, long mmioExitNs, long faultNs, long directNs) {
    public static final ExitCosts DEFAULTS = new ExitCosts(5000, 1900, 5000, 1900, 0);

    public ExitCosts {
        if (vmmHcallNs < 0 || kernelHcallNs < 0 || mmioExitNs < 0 || faultNs < 0 || directNs < 0) {
            throw new IllegalArgumentException("exit costs must be >= 0 ns");
        }
    }
}
