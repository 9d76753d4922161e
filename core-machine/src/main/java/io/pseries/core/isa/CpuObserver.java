package io.pseries.core.isa;

/**
 * Receives what a {@link Cpu} does, for scripts and traces. {@link #instruction} is called only
 * while the CPU runs its observed loop (an observer asked for instructions, or breakpoints are
 * set); the plain loop never calls it.
 *
 * <p>Threading: called on the thread running the CPU, in the middle of its slice.
 */
public interface CpuObserver {

    /** An interrupt was taken: the vector, and SRR0/SRR1 as the CPU set them. */
    default void exception(Cpu cpu, Vector vector, long srr0, long srr1) {
    }

    /** The instruction {@code word} at {@code pc} is about to execute. */
    default void instruction(Cpu cpu, long pc, int word) {
    }

    /** Whether this observer wants {@link #instruction} calls. */
    default boolean wantsInstructions() {
        return false;
    }
}
