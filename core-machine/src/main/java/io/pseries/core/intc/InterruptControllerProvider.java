package io.pseries.core.intc;

/**
 * A pluggable interrupt controller, found with {@link java.util.ServiceLoader}. The machine
 * never names an implementation: it asks every provider on the class path for its name and
 * CAS role, and creates the ones the machine's {@code icMode} asks for.
 */
public interface InterruptControllerProvider {
    /** The name used in {@code icMode} and reported by {@code m.icMode}, e.g. {@code "xive"}. */
    String name();

    /** How CAS selects this controller. */
    CasRole casRole();

    /** Creates the controller for one machine. Called once per machine, before any CPU exists. */
    InterruptController create(IntcHost host);
}
