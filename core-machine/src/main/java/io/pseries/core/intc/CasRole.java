package io.pseries.core.intc;

/**
 * Which interrupt mode of option vector 5 byte 23 selects a controller at CAS.
 */
public enum CasRole {
    /** Chosen when the guest does not ask for XIVE exploitation (byte 23 = 0x00): XICS. */
    LEGACY,
    /** Chosen when the guest asks for exploitation mode (byte 23 = 0x40): XIVE. */
    EXPLOITATION
}
