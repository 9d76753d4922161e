package io.pseries.core.host;

import io.pseries.core.cpu.VCpu;

/**
 * One in-kernel KVM device ({@code struct kvm_device_ops}) of a simulated VM, as a plugin
 * implements it. The VM reaches it through its file descriptor: attribute calls
 * ({@code KVM_SET/GET/HAS_DEVICE_ATTR}), {@code mmap} of the device file and the fault handler
 * of those mappings, vCPU connection ({@code KVM_ENABLE_CAP}) and per-vCPU registers
 * ({@code KVM_GET/SET_ONE_REG}), and release when the last reference to the file goes.
 *
 * <p>Every method answers bad input (unknown group or attribute, short data, bad offset) with
 * the kernel's errno; none throws for it. {@code data} is what user space passes by pointer:
 * a {@code u64} attribute reads {@code data[0]}; a missing or too-short array is a bad user
 * pointer ({@code EFAULT}) wherever the kernel would copy from it.
 *
 * <p>Threading: the machine's thread only.
 */
public interface KvmDevice {
    /** The {@link KvmDeviceType} number. */
    int type();

    /** The kernel's ops name, e.g. {@code "kvm-xive-native"}. */
    String name();

    /** The kernel's name for an attribute group (e.g. {@code "SOURCE"}), or {@code null} for an unknown one. */
    String groupName(long group);

    KvmResult setAttr(long group, long attr, long[] data);

    KvmResult getAttr(long group, long attr);

    KvmResult hasAttr(long group, long attr);

    /** Whether a mapping of {@code npages} pages at file page {@code pgoff} is accepted: {@code null}, or the errno. */
    Errno mmap(long pgoff, long npages);

    /** The fault handler of a mapping made at {@code vmaPgoff}, for file page {@code pgoff}. */
    FaultResult fault(long vmaPgoff, long pgoff);

    /** {@code KVM_ENABLE_CAP} of the device's interrupt capability: connects a vCPU as {@code server}. */
    KvmResult connectVcpu(VCpu cpu, int server);

    KvmResult getOneReg(VCpu cpu, long id);

    KvmResult setOneReg(VCpu cpu, long id, long[] value);

    /** The last reference to the device file went away: the kernel's release hook. */
    void release();
}
