package io.pseries.core.host;

/**
 * Creates the host's interrupt controller for a simulated host; found with
 * {@link java.util.ServiceLoader} (the XIVE plugin provides the POWER9 one).
 */
public interface HostInterruptControllerProvider {
    /** Creates it for {@code vm}'s host (called at most once per VM, on first use). */
    HostInterruptController create(KvmVm vm);
}
