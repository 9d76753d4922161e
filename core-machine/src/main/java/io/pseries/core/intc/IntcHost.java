package io.pseries.core.intc;

import java.util.List;

import io.pseries.core.MachineConfig;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.mem.MmioSpace;
import io.pseries.core.rtas.RtasTable;
import io.pseries.core.trace.Trace;

/** What a machine offers its interrupt controllers. */
public interface IntcHost {
    MachineConfig config();

    /** vCPUs in index order. */
    List<VCpu> cpus();

    /** The vCPU whose guest-visible id is {@code vcpuId}, or {@code null}. */
    VCpu cpuByVcpuId(long vcpuId);

    /** Number of interrupt server numbers (max vCPU id + 1), QEMU's spapr_max_server_number. */
    int nrServers();

    GuestMemory memory();

    MmioSpace mmio();

    HcallTable hcalls();

    RtasTable rtas();

    Trace trace();

    /** Virtual time in ns. */
    long now();

    /** The option-vector-5 bits negotiated at CAS (empty before CAS and after reset). */
    OptionVector ov5Cas();

    /** Whether {@code c} is the active controller. */
    boolean isActive(InterruptController c);

    /** The line levels currently raised, as (irq) numbers, for replay on activation. */
    int[] raisedLines();
}
