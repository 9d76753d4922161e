package io.pseries.xics;

import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.intc.InterruptControllerProvider;

/**
 * Registers the sPAPR XICS controller as icMode {@code "xics"} (legacy mode at CAS). With the
 * XIVE plugin also on the class path, icMode {@code "dual"} creates both, XICS active at reset.
 */
public final class XicsProvider implements InterruptControllerProvider {
    @Override
    public String name() {
        return "xics";
    }

    @Override
    public CasRole casRole() {
        return CasRole.LEGACY;
    }

    @Override
    public InterruptController create(IntcHost host) {
        return new SpaprXics(host);
    }
}
