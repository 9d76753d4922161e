package io.pseries.xive;

/**
 * The Event State Buffer's two-bit PQ state machine, as pure functions. P ("pending", value 2)
 * means an event was forwarded and not yet EOI'd; Q ("queued", value 1) means another event
 * arrived meanwhile. 01 is "off": triggers are dropped (the reset state of every source).
 *
 * <pre>
 *  old   trigger -> new, forward     EOI -> new, forward
 *  00    10  yes                     00  no
 *  01    01  no  (off)               01  no
 *  10    11  no  (coalesced)         00  no
 *  11    11  no                      10  yes (re-trigger)
 * </pre>
 *
 * Results pack the new state in bits 0-1 and the "forward" answer in {@link #FORWARD}.
 */
public final class Pq {
    public static final int RESET = 0b00;
    public static final int OFF = 0b01;
    public static final int PENDING = 0b10;
    public static final int QUEUED = 0b11;
    public static final int P = 0b10;
    public static final int Q = 0b01;
    /** Set in a transition's result when the event goes on to the router. */
    public static final int FORWARD = 0x100;
    /** QEMU's extra status bit for a level-triggered source whose line is up. */
    public static final int ASSERTED = 0x4;

    private Pq() {
    }

    /** Trigger transition. */
    public static int trigger(int pq) {
        return switch (pq & 3) {
            case RESET -> PENDING | FORWARD;
            case OFF -> OFF;
            default -> QUEUED;
        };
    }

    /** EOI transition. */
    public static int eoi(int pq) {
        return switch (pq & 3) {
            case RESET, PENDING -> RESET;
            case OFF -> OFF;
            default -> PENDING | FORWARD;
        };
    }

    public static boolean forwards(int result) {
        return (result & FORWARD) != 0;
    }

    public static int state(int result) {
        return result & 3;
    }

    /** "--", "-Q", "P-" or "PQ", as QEMU's info pic prints a PQ value. */
    public static String name(int pq) {
        return ((pq & P) != 0 ? "P" : "-") + ((pq & Q) != 0 ? "Q" : "-");
    }
}
