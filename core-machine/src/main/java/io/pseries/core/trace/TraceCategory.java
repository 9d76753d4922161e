package io.pseries.core.trace;

/**
 * The categories of machine trace events: the one list of event names. Scripts subscribe
 * ({@code m.on}), {@code --trace} prints and {@code m.events()} reports them by the lower-case
 * name ({@link #jsName()}); {@code pseries.d.ts}'s {@code EventName} lists the same names.
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
    FAULT,
    /** Pass-through devices: VFIO opens, irqfds, irqbypass links made, broken or refused, what was denied. */
    PASSTHROUGH;

    /** The name scripts use for this category. */
    public String jsName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Every name, in declaration order. */
    public static java.util.List<String> jsNames() {
        return java.util.Arrays.stream(values()).map(TraceCategory::jsName).toList();
    }

    /**
     * The categories a selector names: a name, {@code all}, or a glob with {@code *} and
     * {@code ?} ({@code guest*} is guest and guest_error); empty when nothing matches.
     */
    public static java.util.Set<TraceCategory> select(String selector) {
        java.util.Set<TraceCategory> out = java.util.EnumSet.noneOf(TraceCategory.class);
        String s = selector.trim();
        if (s.equals("all")) {
            out.addAll(java.util.Arrays.asList(values()));
            return out;
        }
        StringBuilder re = new StringBuilder();
        for (char ch : s.toCharArray()) {
            re.append(ch == '*' ? ".*" : ch == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(ch)));
        }
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(re.toString());
        for (TraceCategory c : values()) {
            if (p.matcher(c.jsName()).matches()) {
                out.add(c);
            }
        }
        return out;
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
