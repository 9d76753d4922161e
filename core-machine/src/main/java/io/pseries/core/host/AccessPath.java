package io.pseries.core.host;

/**
 * How one guest access was served, which is what it costs ({@link ExitCosts}):
 * <ul>
 *   <li>{@link #VMM_EXIT}: KVM returned to the VMM, which emulated it (QEMU's hcall or MMIO handlers);</li>
 *   <li>{@link #KERNEL}: KVM served it without leaving the kernel (in-kernel XICS hcalls and RTAS calls);</li>
 *   <li>{@link #DIRECT}: it went through a page mapped into the guest, with no exit at all (first
 *       touches also take a host page fault, counted separately).</li>
 * </ul>
 */
public enum AccessPath {
    VMM_EXIT, KERNEL, DIRECT;

    public String jsName() {
        return switch (this) {
            case VMM_EXIT -> "vmm";
            case KERNEL -> "kernel";
            case DIRECT -> "direct";
        };
    }
}
