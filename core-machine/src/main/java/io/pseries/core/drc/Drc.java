package io.pseries.core.drc;

/**
 * One dynamic-reconfiguration connector (QEMU's SpaprDrc): its index, kind, name, whether a
 * device sits behind it, and the state the guest drives through {@code set-indicator}.
 *
 * <p>Logical connectors (CPU, PHB) move UNUSABLE -> AVAILABLE -> UNISOLATE -> CONFIGURED;
 * physical ones (PCI slots) POWERON -> UNISOLATE -> CONFIGURED. A connector with a device
 * starts CONFIGURED (coldplug), an empty one in its empty state (PAPR 13.5.3, QEMU's
 * spapr_drc_reset). Confined to the machine's thread.
 */
public final class Drc {
    /** The DRC states of QEMU's state machine. */
    public enum State { LOGICAL_UNUSABLE, LOGICAL_AVAILABLE, LOGICAL_UNISOLATE, LOGICAL_CONFIGURED,
        PHYSICAL_POWERON, PHYSICAL_UNISOLATE, PHYSICAL_CONFIGURED }

    private final DrcKind kind;
    private final int id;
    private final Object owner;
    private final boolean attached;
    private State state;
    private long drIndicator;

    Drc(DrcKind kind, int id, Object owner, boolean attached) {
        this.kind = kind;
        this.id = id;
        this.owner = owner;
        this.attached = attached;
        reset();
    }

    /** Back to the coldplug state. */
    void reset() {
        state = attached ? (kind.logical() ? State.LOGICAL_CONFIGURED : State.PHYSICAL_CONFIGURED)
            : (kind.logical() ? State.LOGICAL_UNUSABLE : State.PHYSICAL_POWERON);
        drIndicator = 0;
    }

    public DrcKind kind() {
        return kind;
    }

    /** The index: the kind's type bit in the top nibble, the id below. */
    public long index() {
        return ((long) kind.shift() << 28) | id;
    }

    /** The name in {@code ibm,drc-names}: the kind's prefix and the decimal id. */
    public String name() {
        return kind.namePrefix() + id;
    }

    public Object owner() {
        return owner;
    }

    public boolean attached() {
        return attached;
    }

    public State state() {
        return state;
    }

    void state(State s) {
        state = s;
    }

    public long drIndicator() {
        return drIndicator;
    }

    void drIndicator(long v) {
        drIndicator = v;
    }
}
