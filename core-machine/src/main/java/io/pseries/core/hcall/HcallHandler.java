package io.pseries.core.hcall;

import io.pseries.core.cpu.VCpu;

/**
 * One hypervisor call. {@code args} holds R4..R12 on entry; outputs are written back into
 * it from index 0 (R4), as PAPR returns them in R4 onwards. Returns the R3 code.
 */
@FunctionalInterface
public interface HcallHandler {
    long call(VCpu cpu, long[] args);
}
