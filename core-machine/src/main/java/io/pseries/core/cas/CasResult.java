package io.pseries.core.cas;

/**
 * The outcome of a successful CAS.
 *
 * @param mode         the active controller after CAS ({@code "xive"} or {@code "xics"})
 * @param requested    option-vector-5 byte 23 as the guest sent it
 * @param answer       byte 23 of the negotiated vector (QEMU's {@code ibm,architecture-vec-5})
 * @param negotiated   the whole negotiated option vector 5
 * @param switched     whether the active controller changed
 * @param compatPvr    the compatibility PVR CAS chose from the guest's list (0: raw mode, the real PVR)
 * @param explicitMatch whether the guest's list named the CPU's real PVR
 */
public record CasResult(String mode, int requested, int answer, OptionVector negotiated, boolean switched,
                        long compatPvr, boolean explicitMatch) {
}
