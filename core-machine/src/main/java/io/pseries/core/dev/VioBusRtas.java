package io.pseries.core.dev;

import java.util.List;

import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * The RTAS calls of the VIO bus itself, as QEMU 7.2's spapr_vio.c serves them:
 * {@code ibm,set-tce-bypass(unit, enable)} switches DMA bypass for a VIO device that has a DMA
 * window (the virtual Ethernet; the console and the NVRAM have none, -3), and {@code quiesce}
 * (no arguments) quiesces every VIO device: bypass off, and the model has no CRQ to free.
 * Confined to the machine's thread.
 */
public final class VioBusRtas {
    private final List<Device> devices;

    public VioBusRtas(List<Device> devices) {
        this.devices = devices;
    }

    public void register(RtasTable t) {
        t.register("ibm,set-tce-bypass", 1, this::setTceBypass);
        t.register("quiesce", 1, c -> {
            if (c.nargs() != 0) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            for (Device d : devices) {
                if (d instanceof VioDevice v) {
                    v.setDmaBypass(false);
                }
            }
            c.status(RtasStatus.SUCCESS);
        });
    }

    private void setTceBypass(RtasCall c) {
        if (c.nargs() != 2) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        for (Device d : devices) {
            if (d instanceof VioDevice v && v.reg() == c.arg(0)) {
                if (!v.hasDmaWindow()) {
                    break;
                }
                v.setDmaBypass(c.arg(1) != 0);
                c.status(RtasStatus.SUCCESS);
                return;
            }
        }
        c.status(RtasStatus.PARAM_ERROR);
    }
}
