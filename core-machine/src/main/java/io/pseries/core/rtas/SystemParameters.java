package io.pseries.core.rtas;

import java.nio.charset.StandardCharsets;

import io.pseries.core.mem.GuestMemory;

/**
 * {@code ibm,get-system-parameter} and {@code ibm,set-system-parameter}, as QEMU 7.2's
 * spapr_rtas.c serves them. Three parameters are known: 20 (SPLPAR characteristics, the string
 * {@code MaxEntCap=N,DesMem=MiB,DesProcs=N,MaxPlatProcs=N}), 42 (diagnostics run mode:
 * disabled, 0) and 48 (the partition UUID: none set, so empty). A read writes a 16-bit length
 * then as many bytes as fit the caller's buffer; a buffer shorter than 2 bytes answers -9999;
 * any other parameter -3. Setting a known parameter answers -9002 (not authorized), any other
 * -3. QEMU checks neither call's argument counts, and neither does the model.
 *
 * <p>QEMU adds {@code HostThrs=} only under KVM; the model is QEMU without KVM. Confined to the
 * machine's thread.
 */
public final class SystemParameters {
    public static final int SPLPAR_CHARACTERISTICS = 20;
    public static final int DIAGNOSTICS_RUN_MODE = 42;
    public static final int UUID = 48;

    private final GuestMemory memory;
    private final int cpus;
    private final int maxCpus;

    public SystemParameters(GuestMemory memory, int cpus, int maxCpus) {
        this.memory = memory;
        this.cpus = cpus;
        this.maxCpus = maxCpus;
    }

    /** The value QEMU returns for a parameter (without the length prefix), or null when unknown. */
    public byte[] value(long parameter) {
        if (parameter == SPLPAR_CHARACTERISTICS) {
            String s = "MaxEntCap=" + maxCpus + ",DesMem=" + (memory.size() >> 20) + ",DesProcs=" + cpus
                + ",MaxPlatProcs=" + maxCpus;
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            return java.util.Arrays.copyOf(b, b.length + 1);    // with its NUL, as QEMU counts it
        }
        if (parameter == DIAGNOSTICS_RUN_MODE) {
            return new byte[] {0};
        }
        if (parameter == UUID) {
            return new byte[0];
        }
        return null;
    }

    public void register(RtasTable t) {
        t.register("ibm,get-system-parameter", 1, this::get);
        t.register("ibm,set-system-parameter", 1, c -> {
            long p = c.nargs() > 0 ? c.arg(0) : -1;
            c.status(value(p) != null ? RtasStatus.NOT_AUTHORIZED : RtasStatus.NOT_SUPPORTED);
        });
    }

    private void get(RtasCall c) {
        long parameter = c.nargs() > 0 ? c.arg(0) : -1;
        long buffer = c.nargs() > 1 ? c.arg(1) : 0;
        long length = c.nargs() > 2 ? c.arg(2) : 0;
        byte[] v = value(parameter);
        if (v == null) {
            c.status(RtasStatus.NOT_SUPPORTED);
            return;
        }
        if (length < 2) {
            c.status(RtasStatus.SYSPARM_PARAM_ERROR);
            return;
        }
        int n = (int) Math.min(length - 2, v.length);
        // a store outside RAM is dropped, as QEMU's physical stores to unassigned memory are
        if (memory.contains(buffer, 2 + n)) {
            memory.write16(buffer, v.length);
            memory.writeBytes(buffer + 2, java.util.Arrays.copyOf(v, n));
        }
        c.status(RtasStatus.SUCCESS);
    }
}
