package io.pseries.core.guest;

import java.util.List;

import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.cpu.VCpu;
import io.pseries.core.dt.DtNode;
import io.pseries.core.hcall.HcallResult;
import io.pseries.core.mem.GuestMemory;
import io.pseries.core.rtas.RtasResult;
import io.pseries.core.sched.Scheduler;
import io.pseries.core.trace.Trace;

/**
 * The platform as the guest model sees it: what a guest can do (hcalls, RTAS calls, loads and
 * stores, CAS, reading the device tree and its RAM), the vCPUs it runs on, virtual time and the
 * trace, and telling a device that its interrupt was handled. The machine implements it; the
 * guest model and its interrupt drivers depend on this, not on the machine. Its loads and stores
 * are the {@link GuestBus} of every vCPU outside parallel IPI runs.
 *
 * <p>Threading: the machine's thread only.
 */
public interface GuestPlatform extends GuestBus {
    /** The device tree as the platform would hand it over now. */
    DtNode deviceTree();

    /** ibm,client-architecture-support; refusals throw a CasException with QEMU's message. */
    CasResult cas(OptionVector guestOv5);

    /** vCPUs in index order. */
    List<VCpu> cpus();

    /** The vCPU with this index; a clear error when there is none. */
    VCpu cpu(long index);

    /** An hcall with R4.. = {@code args}, traced. */
    HcallResult hcall(int cpu, long opcode, long... args);

    /** The allocation-free hcall path: {@code regs} carries R4.. in and the outputs out; not traced. */
    long hcall(VCpu cpu, long opcode, long[] regs);

    /** An RTAS call by name; {@code nret} negative: the call's usual count. */
    RtasResult rtas(int cpu, String name, int[] args, int nret);

    GuestMemory memory();

    Scheduler scheduler();

    /** Virtual time in ns. */
    long now();

    Trace trace();

    /** The guest's handler for a device interrupt ran: the line's owner may deassert it. */
    void guestHandled(int irq);
}
