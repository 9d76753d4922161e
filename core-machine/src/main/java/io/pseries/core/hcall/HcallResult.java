package io.pseries.core.hcall;

/**
 * The outcome of one hypervisor call as a guest sees it: R3 ({@link #rc}) and the outputs
 * from R4 onwards, as many as the hcall defines ({@link HcallTable.Entry#nret()}).
 *
 * <p>An immutable value; any thread may read it.
 */
public record HcallResult(long rc, long[] rets) {
    /** The PAPR name of {@link #rc}, e.g. {@code "H_SUCCESS"}. */
    public String rcName() {
        return PaprRc.name(rc);
    }
}
