package io.pseries.core.host.pt;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One physical PCI function of the host (what {@code pseries.host({ pci: [...] })} describes):
 * its address, identity, MSI-X table size and INTx pin, its IOMMU group, and the host
 * interrupts it raises: one PHB MSI hardware source per MSI-X vector and one LSI for INTx,
 * numbered by the host once and for all (they are the hardware's, whoever drives them).
 *
 * <pre>
 *  fire(v)        the device writes MSI-X entry v ─► the PHB's MSI source hwIrq(v) is triggered
 *                 (only while the entry is programmed: a VFIO user armed it; otherwise dropped)
 *  assertIntx(l)  the INTx wire ─► the function's LSI (level) ─► VFIO's INTx handler
 * </pre>
 *
 * Where a triggered source goes is the host interrupt controller's business: to the host
 * handler VFIO installed (which signals an eventfd) or, once linked, straight to a guest.
 *
 * <p>Threading: the machine's thread only.
 */
public final class HostPciFunction {
    private final String addr;
    private final int vendor;
    private final int device;
    private final int classCode;
    private final int msix;
    private final boolean intx;
    private final IommuGroup group;
    private final int firstHwIrq;
    private VfioDevice owner;
    private OcxlAfu afu;
    private boolean intxLevel;
    private long fired;
    private long dropped;

    HostPciFunction(String addr, int vendor, int device, int classCode, int msix, boolean intx, IommuGroup group,
                    int firstHwIrq) {
        this.addr = addr;
        this.vendor = vendor;
        this.device = device;
        this.classCode = classCode;
        this.msix = msix;
        this.intx = intx;
        this.group = group;
        this.firstHwIrq = firstHwIrq;
        group.add(this);
    }

    /** The address, e.g. {@code 0000:01:00.0}. */
    public String addr() {
        return addr;
    }

    public int vendor() {
        return vendor;
    }

    public int device() {
        return device;
    }

    public int classCode() {
        return classCode;
    }

    public int msixVectors() {
        return msix;
    }

    public boolean hasIntx() {
        return intx;
    }

    public IommuGroup group() {
        return group;
    }

    /** The host hardware interrupt of MSI-X vector {@code v} (a PHB MSI source). */
    public int hwIrq(int v) {
        return firstHwIrq + v;
    }

    /** The host hardware interrupt of INTx (an LSI), or 0 without a pin. */
    public int intxHwIrq() {
        return intx ? firstHwIrq + msix : 0;
    }

    /** Host interrupts the function uses (vectors, then INTx). */
    public int hwIrqCount() {
        return msix + (intx ? 1 : 0);
    }

    public int firstHwIrq() {
        return firstHwIrq;
    }

    /** The OpenCAPI AFU of the function, or {@code null}. */
    public OcxlAfu afu() {
        return afu;
    }

    void setAfu(OcxlAfu a) {
        afu = a;
    }

    /** The VFIO device open on this function, or {@code null}. */
    public VfioDevice owner() {
        return owner;
    }

    void setOwner(VfioDevice d) {
        owner = d;
    }

    /**
     * The device raises MSI-X vector {@code v}. Returns whether a handler or a guest got it
     * (false: dropped, the entry was not programmed by any user). Throws for a vector the
     * function does not have.
     */
    public boolean fire(int v) {
        if (v < 0 || v >= msix) {
            throw new IllegalArgumentException(String.format("host PCI function %s: MSI-X vector %d is out of range"
                + " (the function has %d vector%s)", addr, v, msix, msix == 1 ? "" : "s"));
        }
        fired++;
        if (owner == null || !owner.deviceRaise(v)) {
            dropped++;
            return false;
        }
        return true;
    }

    /** Drives the INTx wire; throws when the function has no pin. */
    public void assertIntx(boolean level) {
        if (!intx) {
            throw new IllegalArgumentException("host PCI function " + addr + " has no INTx pin");
        }
        if (level == intxLevel) {
            return;
        }
        intxLevel = level;
        if (owner != null) {
            owner.deviceIntx(level);
        }
    }

    public boolean intxLevel() {
        return intxLevel;
    }

    /** Vectors the device raised, and those that reached nobody. */
    public long fired() {
        return fired;
    }

    public long dropped() {
        return dropped;
    }

    /**
     * A restored host's record of the function (host-group checkpoint): the counts and the INTx
     * wire's level, set without signalling anyone (the restored VMs hold what the level did).
     */
    public void restoreState(long fired, long dropped, boolean intxLevel) {
        if (fired < 0 || dropped < 0 || dropped > fired || (intxLevel && !intx)) {
            throw new IllegalArgumentException("restoreState of " + addr + ": fired " + fired + ", dropped " + dropped
                + ", INTx level " + intxLevel + " do not hold together");
        }
        this.fired = fired;
        this.dropped = dropped;
        this.intxLevel = intxLevel;
    }

    /** Plain data for scripts. */
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("addr", addr);
        m.put("vendor", vendor);
        m.put("device", device);
        m.put("classCode", classCode);
        m.put("msix", msix);
        m.put("intx", intx);
        m.put("iommuGroup", group.number());
        java.util.List<Integer> hw = new java.util.ArrayList<>();
        for (int v = 0; v < msix; v++) {
            hw.add(hwIrq(v));
        }
        m.put("hwIrqs", hw);
        m.put("intxHwIrq", intx ? intxHwIrq() : null);
        m.put("owner", owner == null ? null : owner.processName());
        m.put("ocapi", afu == null ? null : Map.of("irqs", afu.linkIrqs(), "available", afu.available()));
        m.put("fired", fired);
        m.put("dropped", dropped);
        return m;
    }
}
