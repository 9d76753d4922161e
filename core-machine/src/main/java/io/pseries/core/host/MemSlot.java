package io.pseries.core.host;

/**
 * One KVM memory region ({@code struct kvm_userspace_memory_region}): guest physical
 * {@code [gpa, gpa + size)} backed by the VMM's virtual addresses from {@code hva}.
 *
 * @param name what the VMM registered it for (QEMU's memory region name)
 */
public record MemSlot(int slot, long gpa, long size, long hva, int flags, String name) {
    public boolean contains(long a) {
        return Long.compareUnsigned(a - gpa, size) < 0;
    }
}
