package io.pseries.core.host;

/**
 * What a device file's fault handler answers for one page: the host physical address of the
 * page to insert ({@code VM_FAULT_NOPAGE} after {@code vmf_insert_pfn}), or {@code SIGBUS}.
 *
 * <p>Immutable; any thread.
 */
public record FaultResult(boolean isSigbus, long physAddr) {
    private static final FaultResult SIGBUS = new FaultResult(true, -1);

    /** The access gets SIGBUS (VM_FAULT_SIGBUS). */
    public static FaultResult sigbus() {
        return SIGBUS;
    }

    /** The page at host physical {@code physAddr} is inserted into the VMA. */
    public static FaultResult mapped(long physAddr) {
        return new FaultResult(false, physAddr);
    }
}
