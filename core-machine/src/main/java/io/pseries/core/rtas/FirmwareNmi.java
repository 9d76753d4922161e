package io.pseries.core.rtas;

/**
 * Firmware-assisted NMI (FWNMI) registration, as QEMU 7.2's spapr_rtas.c serves it:
 * {@code ibm,nmi-register(system-reset vector, machine-check vector)} records the guest's two
 * handlers (both must lie in the first 32 MiB, else -3), and {@code ibm,nmi-interlock} ends the
 * handling of a machine check: -3 before registration, success otherwise (QEMU also answers
 * success from a vCPU that is not handling one, because Linux calls it after a system reset).
 * The pseries-7.2 machine has {@code cap-fwnmi=on}; the model's RTAS is always instantiated.
 *
 * <p>The model delivers no machine checks, so the interlock never has one to end. Reset clears
 * the registration. Confined to the machine's thread.
 */
public final class FirmwareNmi {
    private static final long LIMIT = 32L << 20;

    private long systemResetVector = -1;
    private long machineCheckVector = -1;

    public long systemResetVector() {
        return systemResetVector;
    }

    public long machineCheckVector() {
        return machineCheckVector;
    }

    public void reset() {
        systemResetVector = -1;
        machineCheckVector = -1;
    }

    public void register(RtasTable t) {
        t.register("ibm,nmi-register", 1, c -> {
            long sreset = c.nargs() > 0 ? c.arg(0) : 0;
            long mce = c.nargs() > 1 ? c.arg(1) : 0;
            if (sreset >= LIMIT || mce >= LIMIT) {
                c.status(RtasStatus.PARAM_ERROR);
                return;
            }
            systemResetVector = sreset;
            machineCheckVector = mce;
            c.status(RtasStatus.SUCCESS);
        });
        t.register("ibm,nmi-interlock", 1, c ->
            c.status(machineCheckVector == -1 ? RtasStatus.PARAM_ERROR : RtasStatus.SUCCESS));
    }
}
