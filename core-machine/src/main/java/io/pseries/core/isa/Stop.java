package io.pseries.core.isa;

/**
 * Why a {@link Cpu} stopped executing: it cannot go on without outside help (the guest stopped
 * itself, executed something this model does not run, or jumped where no code is).
 *
 * @param kind    the class of reason
 * @param pc      the address of the instruction concerned
 * @param word    the instruction word (0 when there is none)
 * @param message a sentence for the user, naming the address and word
 */
public record Stop(Kind kind, long pc, int word, String message) {

    /** Classes of reasons. */
    public enum Kind {
        /** An illegal instruction with no program-interrupt handler to take it. */
        ILLEGAL_INSTRUCTION,
        /** An interrupt whose vector holds no code (the word there is 0). */
        NO_HANDLER,
        /** Instruction fetch outside guest RAM. */
        FETCH_OUTSIDE_RAM,
        /** MSR[IR] or MSR[DR] set: address translation is not modelled. */
        RELOCATION,
        /** The guest stopped this CPU (RTAS stop-self) or the machine stopped it. */
        STOPPED,
        /** A breakpoint address was reached (the instruction there has not run). */
        BREAKPOINT
    }

    @Override
    public String toString() {
        return message;
    }
}
