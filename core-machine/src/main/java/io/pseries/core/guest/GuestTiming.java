package io.pseries.core.guest;

/**
 * Virtual cost, in ns, of what the guest model does; a vCPU is busy for the sum of its
 * operations and takes its next exception after that. Defaults follow measured orders of
 * magnitude on POWER9 under KVM: an hcall round trip of 1.5-2.3 us, a cache-inhibited MMIO
 * access of some tens of ns.
 */
public record GuestTiming(long exceptionEntryNs, long mmioNs, long hcallNs, long rtasNs, long handlerNs) {
    public static final GuestTiming DEFAULT = new GuestTiming(100, 40, 1500, 4000, 250);
}
