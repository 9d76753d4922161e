package io.pseries.core.dev.pci;

import io.pseries.core.cpu.VCpu;
import io.pseries.core.dev.DeviceHost;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.mem.MmioHandler;
import io.pseries.core.mem.MmioRegion;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;
import io.pseries.core.rtas.RtasTable;

/**
 * Message-signalled interrupts of one PCI host bridge: the RTAS calls through which firmware
 * grants a device MSI or MSI-X vectors from the machine's MSI range (0x1300 up) and tells the
 * guest which interrupt number each vector is ({@code ibm,change-msi},
 * {@code ibm,query-interrupt-source-number}), and the MSI window the devices' message writes land
 * in: a store there carries the interrupt number as its data and pulses that line.
 *
 * <pre>
 *  ibm,change-msi(dev, n) ──► n numbers from the MSI range, claimed as edge lines ──► MSI-X table messages
 *  device MSI k ──► store to 0x40000000000 (data = first + k, little-endian) ──► pulse of irq first + k
 * </pre>
 *
 * <p>Threading: the machine's thread only.
 */
final class PhbMsi {
    static final int RTAS_CHANGE_FN = 1;
    static final int RTAS_RESET_FN = 2;
    static final int RTAS_CHANGE_MSI_FN = 3;
    static final int RTAS_CHANGE_MSIX_FN = 4;
    static final int RTAS_TYPE_MSI = 1;
    static final int RTAS_TYPE_MSIX = 2;

    private final SpaprPhb phb;
    private DeviceHost host;

    PhbMsi(SpaprPhb phb) {
        this.phb = phb;
    }

    /** Maps the MSI window and registers the MSI RTAS calls (the bridge's realize). */
    void realize(DeviceHost m) {
        this.host = m;
        MmioRegion msiWindow = new MmioRegion("pci.msi", SpaprPhb.MSI_WINDOW, SpaprPhb.MSI_WINDOW_SIZE, new MmioHandler() {
            @Override
            public long read(VCpu cpu, long offset, int size) {
                m.trace().guestError(cpu.index(), "load from the MSI window (it only takes stores)", "offset", offset);
                return -1;
            }

            @Override
            public void write(VCpu cpu, long offset, int size, long value) {
                msiWrite(cpu, size, value);
            }
        });
        m.mmio().map(msiWindow);
    }

    void register(RtasTable t) {
        t.register("ibm,change-msi", 4, this::changeMsi);
        t.register("ibm,query-interrupt-source-number", 3, this::querySourceNumber);
    }

    /** A store to the MSI window: the data (little-endian, as PCI) is the interrupt number to pulse. */
    private void msiWrite(VCpu cpu, int size, long value) {
        long le = Long.reverseBytes(value) >>> (64 - 8 * size);
        int irq = (int) le;
        if (!host.irqSpace().isClaimed(irq)) {
            host.trace().guestError(cpu.index(), String.format("MSI write for unclaimed interrupt 0x%x", irq), "irq", irq);
            return;
        }
        host.irq(irq).pulse();
    }

    /** Frees the numbers a device holds, if any. */
    void release(PciDevice d) {
        if (d.msiCount() > 0) {
            for (int i = 0; i < d.msiCount(); i++) {
                host.freeIrq(d.msiFirst() + i);
            }
            host.irqSpace().freeMsi(d.msiFirst(), d.msiCount());
            d.setMsis(0, 0);
        }
    }

    /**
     * ibm,change-msi(config addr, BUID hi, BUID lo, function, requested, sequence): function 1
     * picks MSI or MSI-X as the device has, 3 asks MSI, 4 MSI-X; 0 vectors releases. Answers
     * (status, number granted, sequence + 1, type when nret > 3).
     */
    private void changeMsi(RtasCall c) {
        long cfg = SpaprPhb.arg(c, 0);
        int func = (int) SpaprPhb.arg(c, 3);
        int req = (int) SpaprPhb.arg(c, 4);
        int seq = (int) SpaprPhb.arg(c, 5);
        PciDevice d = phb.deviceFor(c, cfg);
        if (d == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        int type;
        switch (func) {
            case RTAS_CHANGE_FN -> {
                if (d.msiVectors() > 0) {
                    type = RTAS_TYPE_MSI;
                } else if (d.msixEntries() > 0) {
                    type = RTAS_TYPE_MSIX;
                } else {
                    c.status(RtasStatus.PARAM_ERROR);
                    return;
                }
            }
            case RTAS_CHANGE_MSI_FN -> {
                if (d.msiVectors() == 0) {
                    c.status(RtasStatus.PARAM_ERROR);
                    return;
                }
                type = RTAS_TYPE_MSI;
            }
            case RTAS_CHANGE_MSIX_FN -> {
                if (d.msixEntries() == 0) {
                    c.status(RtasStatus.PARAM_ERROR);
                    return;
                }
                type = RTAS_TYPE_MSIX;
            }
            default -> {
                host.trace().guestError(c.cpu().index(), "rtas_ibm_change_msi(" + func + ") is not implemented");
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
        }
        if (req == 0) {
            if (d.msiCount() == 0) {
                // QEMU traces "Releasing wrong config" and answers a hardware error
                c.status(RtasStatus.HW_ERROR);
                return;
            }
            setMessages(d, type, 0, 0, d.msiCount());
            release(d);
            c.status(RtasStatus.SUCCESS);
            c.ret(1, 0);
            return;
        }
        int max = type == RTAS_TYPE_MSI ? d.msiVectors() : d.msixEntries();
        if (Integer.compareUnsigned(req, max) > 0) {
            // too many: the answer is how many the device has, and nothing is allocated
            answerChangeMsi(c, max, seq, type);
            return;
        }
        if (type == RTAS_TYPE_MSI && Integer.bitCount(req) != 1) {
            // QEMU asserts here; a model reports it
            host.trace().guestError(c.cpu().index(), "MSI vector count " + req + " is not a power of two");
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        int first;
        try {
            // What QEMU 7.2 does, not what it meant: it asks for alignment with a bool (true for MSI)
            // and turns it into a bitmap mask by subtracting one, so MSI blocks get no alignment
            // and MSI-X blocks start on an even number. A guest sees these numbers.
            first = host.irqSpace().allocMsi(req, type == RTAS_TYPE_MSIX ? 2 : 1);
        } catch (IllegalStateException | IllegalArgumentException e) {
            host.trace().guestError(c.cpu().index(), "Can't allocate MSIs for device " + Long.toHexString(cfg) + ": " + e.getMessage());
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        for (int i = 0; i < req; i++) {
            claim(d, type, first, i);
        }
        release(d);
        d.setMsis(first, req);
        d.msiType = type;
        setMessages(d, type, SpaprPhb.MSI_WINDOW, first, req);
        answerChangeMsi(c, req, seq, type);
    }

    /** Claims vector {@code i} of an allocation (ibm,change-msi, or a restore re-making it). */
    IrqLine claim(PciDevice d, int type, int first, int i) {
        IrqLine l = host.claimIrq(first + i, false, d.id() + " (" + d.type() + ") MSI"
            + (type == RTAS_TYPE_MSIX ? "-X " : " ") + i);
        host.setLineOwner(first + i, phb);
        return l;
    }

    /**
     * Firmware programs the granted vectors' messages in an MSI-X table (QEMU's spapr_msi_setmsg):
     * the MSI window and data first, first + 1, ...; a release writes address 0, data 0.
     */
    private static void setMessages(PciDevice d, int type, long address, int first, int n) {
        MsixCapability x = d.msixCapability();
        if (type != RTAS_TYPE_MSIX || x == null) {
            return;
        }
        int data = first;
        for (int i = 0; i < n && i < x.entries(); i++) {
            x.setMessage(i, address, data);
            if (address != 0) {
                data++;
            }
        }
    }

    private static void answerChangeMsi(RtasCall c, int num, int seq, int type) {
        c.status(RtasStatus.SUCCESS);
        c.ret(1, num);
        c.ret(2, seq + 1);
        if (c.nret() > 3) {
            c.ret(3, type);
        }
    }

    /** ibm,query-interrupt-source-number(config addr, BUID hi, BUID lo, vector) -> (status, irq, 1 = edge). */
    private void querySourceNumber(RtasCall c) {
        long cfg = SpaprPhb.arg(c, 0);
        long k = SpaprPhb.arg(c, 3);
        PciDevice d = phb.deviceFor(c, cfg);
        if (d == null) {
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        if (d.msiCount() == 0 || k >= d.msiCount()) {
            c.status(RtasStatus.HW_ERROR);
            return;
        }
        c.status(RtasStatus.SUCCESS);
        c.ret(1, d.msiFirst() + k);
        c.ret(2, 1);
    }
}
