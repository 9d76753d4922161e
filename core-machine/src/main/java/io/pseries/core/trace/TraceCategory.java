package io.pseries.core.trace;

/**
 * The categories of machine trace events. Scripts subscribe by the lower-case name
 * ({@code 'irq'}, {@code 'hcall'}, {@code 'rtas'}, {@code 'mmio'}, {@code 'cas'},
 * {@code 'guest_error'}, {@code 'kvm'}, {@code 'fault'}); the others are internal detail useful in failure artifacts.
 */
public enum TraceCategory {
    /** An interrupt presented to a CPU (a CPU's external interrupt line went up). */
    IRQ,
    /** A hypervisor call, with its arguments, return code and outputs. */
    HCALL,
    /** An RTAS call, with its arguments, status and outputs. */
    RTAS,
    /** A guest MMIO load or store to a device region (not RAM). */
    MMIO,
    /** The outcome of client-architecture-support negotiation. */
    CAS,
    /** The guest (or a script acting as the guest) did something architecturally wrong. */
    GUEST_ERROR,
    /** Something the model knowingly does not implement was used (QEMU's LOG_UNIMP). */
    UNIMPLEMENTED,
    /** Interrupt-controller internals (routing, queueing, presenter). */
    INTC,
    /** Guest-model activity (boot steps, handler runs). */
    GUEST,
    /** The simulated host kernel's KVM side: device create/destroy, attribute calls, vCPU connection. */
    KVM,
    /** A host page fault on a device mapping (page inserted, or SIGBUS), and zaps of device pages. */
    FAULT;

    /** The name scripts use for this category. */
    public String jsName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The category for a script-facing name, or {@code null}. */
    public static TraceCategory fromJsName(String name) {
        for (TraceCategory c : values()) {
            if (c.jsName().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
