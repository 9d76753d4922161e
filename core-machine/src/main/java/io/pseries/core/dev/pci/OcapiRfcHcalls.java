package io.pseries.core.dev.pci;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.hcall.HcallTable;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.trace.TraceCategory;

/**
 * The OpenCAPI hcalls of the October 2019 RFC ("ocxl: Add pseries-specific code", never merged;
 * facts §3.2), enabled by {@code experimental: ['ocapi-rfc-2019']}. They are QEMU-private
 * numbers in the KVM-on-POWER range, and every one names the function by the PHB's BUID and its
 * RTAS configuration address:
 *
 * <pre>
 *  H_OCXL_CONFIG_ADAPTER 0xF004 (R4 BUID, R5 config_addr, R6 sub-op, R7.. its arguments)
 *    ALLOC_IRQ 6   an AFU interrupt of the VMM's context on the AFU ─► R4 = a guest interrupt
 *                  number (LISN) the guest maps with H_INT_GET_SOURCE_INFO, as the RFC does
 *    FREE_IRQ  7   R7 = that LISN: the AFU interrupt freed (its trigger page zapped first)
 *    SETUP 1, RELEASE 2, GET_ACTAG 3, GET_PASID 4, SET_TL 5: H_FUNCTION ('unimplemented' event)
 *  H_OCXL_CONFIG_SPA 0xF005, H_OCXL_GET_FAULT_STATE 0xF006, H_OCXL_HANDLE_FAULT 0xF007: H_FUNCTION
 *  errors  BUID not this PHB's, no function at config_addr, no AFU, a sub-op outside 1..7, an
 *          unknown LISN: H_PARAMETER | the AFU or the interrupt numbers exhausted: H_RESOURCE
 * </pre>
 *
 * What the guest gets is described by {@link OcapiAfuIrqs}; snapshots hold it as {@link OcapiState}.
 *
 * <p>Threading: the machine's thread only.
 */
public final class OcapiRfcHcalls {
    public static final int H_OCXL_CONFIG_ADAPTER = 0xF004;
    public static final int H_OCXL_CONFIG_SPA = 0xF005;
    public static final int H_OCXL_GET_FAULT_STATE = 0xF006;
    public static final int H_OCXL_HANDLE_FAULT = 0xF007;
    public static final int OP_ALLOC_IRQ = 6;
    public static final int OP_FREE_IRQ = 7;
    private static final List<String> OPS = List.of("", "SETUP", "RELEASE", "GET_ACTAG", "GET_PASID", "SET_TL",
        "ALLOC_IRQ", "FREE_IRQ");

    private final SpaprPhb phb;
    private final DeviceHost machine;
    private final List<OcapiAfuIrqs> functions = new ArrayList<>();

    public OcapiRfcHcalls(SpaprPhb phb, DeviceHost machine) {
        this.phb = phb;
        this.machine = machine;
    }

    public void register(HcallTable t) {
        t.register(H_OCXL_CONFIG_ADAPTER, "H_OCXL_CONFIG_ADAPTER", 1, this::configAdapter);
        t.register(H_OCXL_CONFIG_SPA, "H_OCXL_CONFIG_SPA", 0, (c, a) -> notModelled(c, "H_OCXL_CONFIG_SPA"));
        t.register(H_OCXL_GET_FAULT_STATE, "H_OCXL_GET_FAULT_STATE", 0,
            (c, a) -> notModelled(c, "H_OCXL_GET_FAULT_STATE"));
        t.register(H_OCXL_HANDLE_FAULT, "H_OCXL_HANDLE_FAULT", 0, (c, a) -> notModelled(c, "H_OCXL_HANDLE_FAULT"));
    }

    private long notModelled(VCpu cpu, String what) {
        machine.trace().emit(TraceCategory.UNIMPLEMENTED, cpu.index(), "hcall", "call", what,
            "message", what + " of the OpenCAPI RFC is not modelled (only ALLOC_IRQ and FREE_IRQ)");
        return PaprRc.H_FUNCTION;
    }

    /** Machine reset: the AFU interrupts of every function are freed. */
    public void reset() {
        for (OcapiAfuIrqs f : functions) {
            f.reset();
        }
    }

    /** The AFU interrupts the VMM holds, over every function (for {@code m.host.ocxl()}). */
    public List<Map<String, Object>> info() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (OcapiAfuIrqs f : functions) {
            out.addAll(f.info());
        }
        return out;
    }

    private OcapiAfuIrqs functionAt(VCpu cpu, long buid, long cfg) {
        if (buid != phb.buid()) {
            machine.trace().guestError(cpu.index(), String.format("H_OCXL_CONFIG_ADAPTER: BUID 0x%x is not a PHB", buid));
            return null;
        }
        PciDevice d = phb.deviceAt(cfg);
        if (!(d instanceof VfioPciDevice v) || v.hostFunction().afu() == null) {
            machine.trace().guestError(cpu.index(), String.format(
                "H_OCXL_CONFIG_ADAPTER: no OpenCAPI function at config address 0x%x", cfg));
            return null;
        }
        return of(v);
    }

    /** The VMM's side of function {@code v} (made on first use). */
    OcapiAfuIrqs of(VfioPciDevice v) {
        for (OcapiAfuIrqs f : functions) {
            if (f.device() == v) {
                return f;
            }
        }
        OcapiAfuIrqs f = new OcapiAfuIrqs(v, machine);
        functions.add(f);
        return f;
    }

    /** The machine's interrupt numbers (the AFU irqs' guest numbers come from its MSI range). */
    public io.pseries.core.irq.IrqSpace irqSpace() {
        return machine.irqSpace();
    }

    SpaprPhb phb() {
        return phb;
    }

    DeviceHost machine() {
        return machine;
    }

    long configAdapter(VCpu cpu, long[] a) {
        long op = a[2];
        if (op < 1 || op >= OPS.size()) {
            machine.trace().guestError(cpu.index(), "H_OCXL_CONFIG_ADAPTER: unknown sub-operation " + op);
            return PaprRc.H_PARAMETER;
        }
        OcapiAfuIrqs f = functionAt(cpu, a[0], a[1]);
        if (f == null) {
            return PaprRc.H_PARAMETER;
        }
        if (op == OP_ALLOC_IRQ) {
            long r = f.alloc(cpu);
            if (r < 0) {
                return r;
            }
            a[0] = r;
            return PaprRc.H_SUCCESS;
        }
        if (op == OP_FREE_IRQ) {
            return f.free(cpu, a[3]);
        }
        return notModelled(cpu, "H_OCXL_CONFIG_ADAPTER " + OPS.get((int) op));
    }
}
