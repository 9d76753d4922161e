package io.pseries.core.cas;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.Hcalls;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.mem.GuestMemory;

/**
 * {@code KVMPPC_H_CAS}, the hcall through which firmware (SLOF, or a payload under VOF) performs
 * ibm,client-architecture-support, as QEMU's h_client_architecture_support does it:
 * R4 = the real address of the architecture vector, R5 = a buffer for the updated device tree,
 * R6 = its size.
 *
 * <p>Flow: the PVR list is skipped up to its terminator (the first pair whose value has a bit
 * outside its mask); the option-vector table follows (its first byte is the number of vectors
 * minus 1, each vector is a length-minus-1 byte and its bytes). Without vector 1 or vector 5 the
 * answer is {@code H_PARAMETER}. Vector 5 goes to {@link CasNegotiation}; a refusal QEMU answers
 * with a code returns that code, one QEMU exits on goes to the {@code fatal} sink with QEMU's
 * message. On success the buffer receives a 4-byte header (version 1, big-endian) and the
 * updated flattened device tree; a buffer smaller than the header or the tree is fatal, as in
 * QEMU. The PVR list itself is not negotiated (this model runs POWER9 in its own mode).
 *
 * <p>Threading: the machine's thread.
 */
public final class CasHcall {
    /** PVR pairs scanned at most (QEMU's bound). */
    private static final int MAX_PVRS = 512;

    private final GuestMemory ram;
    private final Function<OptionVector, CasResult> negotiate;
    private final Supplier<byte[]> fdt;
    private final Consumer<String> fatal;

    /**
     * @param negotiate the machine's CAS (throws {@link CasException} on refusal)
     * @param fdt       the device tree blob after CAS
     * @param fatal     receives the message when QEMU would exit
     */
    public CasHcall(GuestMemory ram, Function<OptionVector, CasResult> negotiate, Supplier<byte[]> fdt, Consumer<String> fatal) {
        this.ram = ram;
        this.negotiate = negotiate;
        this.fdt = fdt;
        this.fatal = fatal;
    }

    public void register(HcallTable t) {
        t.register(Hcalls.KVMPPC_H_CAS, "KVMPPC_H_CAS", 0, this::call);
    }

    long call(VCpu cpu, long[] a) {
        long vec = a[0] & 0x0FFF_FFFF_FFFF_FFFFL;
        long buf = a[1];
        long bufSize = a[2];
        Long table = skipPvrs(vec);
        if (table == null) {
            return PaprRc.H_PARAMETER;
        }
        OptionVector ov1 = vector(table, 1);
        if (ov1 == null) {
            return PaprRc.H_PARAMETER;
        }
        OptionVector ov5 = vector(table, 5);
        if (ov5 == null) {
            return PaprRc.H_PARAMETER;
        }
        if (bufSize < 4) {
            fatal.accept("SLOF provided insufficient CAS buffer " + bufSize + " (min: 4)");
            return PaprRc.H_PARAMETER;
        }
        try {
            negotiate.apply(ov5);
        } catch (CasException e) {
            if (e.fatal()) {
                fatal.accept(e.getMessage());
                return PaprRc.H_HARDWARE;
            }
            return e.rc();
        }
        byte[] blob = fdt.get();
        if (blob.length + 4L > bufSize || !ram.contains(buf, blob.length + 4)) {
            fatal.accept(String.format("the updated device tree (%d bytes) does not fit the CAS buffer at 0x%x (%d bytes)",
                blob.length, buf, bufSize));
            return PaprRc.H_PARAMETER;
        }
        ram.write32(buf, 1);
        ram.writeBytes(buf + 4, blob);
        return PaprRc.H_SUCCESS;
    }

    /** The address after the PVR list's terminator, or null if the list runs out of RAM. */
    private Long skipPvrs(long addr) {
        for (int i = 0; i < MAX_PVRS; i++) {
            if (!ram.contains(addr, 8)) {
                return null;
            }
            long mask = ram.read32(addr) & 0xFFFF_FFFFL;
            long pvr = ram.read32(addr + 4) & 0xFFFF_FFFFL;
            addr += 8;
            if ((~mask & pvr) != 0) {
                return addr;
            }
        }
        return addr;
    }

    /** Option vector {@code n} (1-based) of the table, or null when the table has none. */
    private OptionVector vector(long table, int n) {
        if (!ram.contains(table, 1)) {
            return null;
        }
        int count = ram.read8(table) + 1;
        long p = table + 1;
        for (int i = 1; i <= count; i++) {
            if (!ram.contains(p, 1)) {
                return null;
            }
            int len = ram.read8(p) + 1;
            if (!ram.contains(p, len + 1)) {
                return null;
            }
            if (i == n) {
                return OptionVector.decode(ram.readBytes(p, len + 1));
            }
            p += len + 1;
        }
        return null;
    }
}
