package io.pseries.core.dev.pci;

import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * The RTAS calls a guest reaches a host bridge's devices' configuration space with
 * ({@code ibm,read-pci-config}, {@code ibm,write-pci-config} and the older forms without a
 * BUID), and the EEH calls, which an emulated bridge refuses: QEMU offers EEH only for VFIO
 * devices, so every EEH call answers a parameter error (-3).
 *
 * <p>A configuration address is PAPR's: bus in bits 16-23, devfn in bits 8-15, register in
 * bits 0-7 with the extended register bits in 24-27.
 *
 * <p>Threading: the machine's thread only.
 */
final class PhbConfigRtas {
    private final SpaprPhb phb;

    PhbConfigRtas(SpaprPhb phb) {
        this.phb = phb;
    }

    void register(RtasTable t) {
        t.register("ibm,read-pci-config", 2, c -> {
            if (c.nargs() != 4 || c.nret() != 2) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            readConfig(c, phb.phbFor(c, 1), (int) c.arg(0), (int) c.arg(3));
        });
        t.register("read-pci-config", 2, c -> {
            if (c.nargs() != 2 || c.nret() != 2) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            // as QEMU: the calls without a BUID look up BUID 0, which no host bridge has, so they find no device
            readConfig(c, phb.buid() == 0 ? phb : null, (int) c.arg(0), (int) c.arg(1));
        });
        t.register("ibm,write-pci-config", 1, c -> {
            if (c.nargs() != 5 || c.nret() != 1) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            writeConfig(c, phb.phbFor(c, 1), (int) c.arg(0), (int) c.arg(3), (int) c.arg(4));
        });
        t.register("write-pci-config", 1, c -> {
            if (c.nargs() != 3 || c.nret() != 1) {
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            writeConfig(c, phb.buid() == 0 ? phb : null, (int) c.arg(0), (int) c.arg(1), (int) c.arg(2));
        });
        eeh(t, "ibm,set-eeh-option", 4, 1);
        eeh(t, "ibm,get-config-addr-info2", 4, 2);
        eeh(t, "ibm,read-slot-reset-state2", 3, 4);
        eeh(t, "ibm,set-slot-reset", 4, 1);
        eeh(t, "ibm,configure-pe", 3, 1);
        eeh(t, "ibm,slot-error-detail", 8, 1);
    }

    private void eeh(RtasTable t, String name, int nargs, int nret) {
        t.register(name, nret, c -> {
            boolean nretOk = c.nret() == nret || (name.equals("ibm,read-slot-reset-state2") && c.nret() == 5);
            // argument counts, then the PHB, then "EEH not available" all answer -3
            c.status(RtasStatus.PARAM_ERROR);
            if (c.nargs() == nargs && nretOk && phb.phbFor(c, 1) != null) {
                phb.host().trace().emit(io.pseries.core.trace.TraceCategory.UNIMPLEMENTED, c.cpu().index(), "rtas",
                    "message", name + ": EEH is not available on emulated devices");
            }
        });
    }

    private static int cfgRegister(int addr) {
        return ((addr >> 20) & 0xf00) | (addr & 0xff);
    }

    /**
     * The device a config access reaches, or null after answering HW_ERROR: the size must be 1, 2
     * or 4, the device must exist, and the register must be naturally aligned and below 256.
     */
    private static PciDevice configTarget(RtasCall c, SpaprPhb phb, int addr, int size) {
        boolean badSize = size != 1 && size != 2 && size != 4;
        PciDevice d = badSize || phb == null ? null : phb.deviceAt(addr);
        int reg = cfgRegister(addr);
        if (d == null || reg % size != 0 || reg >= 256) {
            c.status(RtasStatus.HW_ERROR);
            return null;
        }
        return d;
    }

    private static void readConfig(RtasCall c, SpaprPhb phb, int addr, int size) {
        PciDevice d = configTarget(c, phb, addr, size);
        if (d != null) {
            c.status(RtasStatus.SUCCESS);
            c.ret(1, d.configRead(cfgRegister(addr), size) & 0xffff_ffffL);
        }
    }

    private static void writeConfig(RtasCall c, SpaprPhb phb, int addr, int size, int value) {
        PciDevice d = configTarget(c, phb, addr, size);
        if (d == null) {
            return;
        }
        d.configWrite(cfgRegister(addr), size, value);
        c.status(RtasStatus.SUCCESS);
    }
}
