package io.pseries.core.host.pt;

import io.pseries.core.host.Errno;

/**
 * What KVM's generic interrupt code asks of the VM's in-kernel interrupt device
 * ({@code kvm->arch.xive} on POWER9): a software trigger of a guest interrupt
 * ({@code kvm_set_irq} from an irqfd or {@code KVM_IRQ_LINE}) and the pass-through switch of a
 * guest interrupt between its own IPI and a host interrupt ({@code kvmppc_xive_set_mapped} /
 * {@code clr_mapped}). A KVM device plugin implements it; core never names the class.
 *
 * <p>Threading: the machine's thread only.
 */
public interface InKernelIrqchip {
    /**
     * A software trigger of guest interrupt {@code gsi}: {@code null} when delivered (or latched),
     * {@code EINVAL} for an unknown source or one linked to a host interrupt (nothing happens).
     */
    Errno setIrq(long gsi, boolean level);

    /** Switches {@code gsi} from its IPI to host interrupt {@code hostIrq}: 0, or a negative errno. */
    int setMapped(long gsi, int hostIrq);

    /** The reverse switch: 0, or a negative errno. */
    int clrMapped(long gsi, int hostIrq);

    /** The host interrupt {@code gsi} is linked to, or 0. */
    int mappedHostIrq(long gsi);

    /**
     * A host-group restore put host interrupt {@code hostIrq}'s own state byte ({@code status}:
     * PQ, asserted) back once the VM's links were made again: an event the device's own restored
     * state holds as well, latched behind an occurrence in flight, is the host interrupt's alone.
     */
    default void hostStateRestored(int hostIrq, int status) {
    }

    /** One source the device made: guest interrupt {@code gsi} backed by host IPI {@code ipi}. */
    record GuestSource(int gsi, int ipi) {
        @Override
        public String toString() {
            return String.format("0x%x on 0x%x", gsi, ipi);
        }
    }

    /**
     * Every source the device made, claimed by the VMM or not (KVM frees a device's sources only
     * with the device), ascending by guest interrupt: what a host-group checkpoint records so that
     * the restored device holds the same IPIs ({@link io.pseries.core.host.KvmVm#restoreSources}).
     * Empty by default: the device keeps no IPIs of its own.
     */
    default java.util.List<GuestSource> sources() {
        return java.util.List.of();
    }
}
