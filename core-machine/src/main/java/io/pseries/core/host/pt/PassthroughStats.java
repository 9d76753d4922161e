package io.pseries.core.host.pt;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One VM's pass-through counters: links made and broken, link attempts that failed and why,
 * interrupts by the path they took, and attempts on what the VM does not own.
 *
 * <p>Threading: the machine's thread only.
 */
public final class PassthroughStats {
    /** Links made ({@code set_mapped} succeeded) and broken ({@code clr_mapped}). */
    public long linksMade;
    public long linksBroken;
    /** {@code kvmppc_set_passthru_irq} failures (logged, never returned). */
    public long linkFailures;
    /** Irqfds assigned, and those whose eventfd no VFIO vector produces (no link can form). */
    public long irqfds;
    /** Pass-through interrupts delivered straight by the host XIVE to the guest's queue (no exit at all). */
    public long bypassDeliveries;
    /** Pass-through interrupts that went eventfd ─► irqfd ─► the guest interrupt's IPI (in the kernel). */
    public long irqfdInjections;
    /** Software triggers refused because the guest interrupt is linked (EINVAL, nothing delivered). */
    public long softwareTriggersRefused;
    /** Pass-through interrupts the VMM relayed (eventfd wakeup ─► MSI window store). */
    public long vmmRelays;
    /** INTx levels the VMM relayed to the PHB's LSI. */
    public long intxRelays;
    /** Device interrupts that reached no handler (vector not armed, function not owned). */
    public long dropped;
    /** Calls refused for what the VM does not own: a bad eventfd descriptor, a busy group, a function it did not open. */
    public long denied;

    /** Every counter continues from {@code old}'s (all of them are running totals). */
    public void continueFrom(PassthroughStats old) {
        linksMade = old.linksMade;
        linksBroken = old.linksBroken;
        linkFailures = old.linkFailures;
        irqfds = old.irqfds;
        bypassDeliveries = old.bypassDeliveries;
        irqfdInjections = old.irqfdInjections;
        softwareTriggersRefused = old.softwareTriggersRefused;
        vmmRelays = old.vmmRelays;
        intxRelays = old.intxRelays;
        dropped = old.dropped;
        denied = old.denied;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("linksMade", linksMade);
        m.put("linksBroken", linksBroken);
        m.put("linkFailures", linkFailures);
        m.put("irqfds", irqfds);
        m.put("bypassDeliveries", bypassDeliveries);
        m.put("irqfdInjections", irqfdInjections);
        m.put("softwareTriggersRefused", softwareTriggersRefused);
        m.put("vmmRelays", vmmRelays);
        m.put("intxRelays", intxRelays);
        m.put("dropped", dropped);
        m.put("denied", denied);
        return m;
    }
}
