package io.pseries.xive;

import io.pseries.core.intc.CasRole;
import io.pseries.core.intc.IntcHost;
import io.pseries.core.intc.InterruptController;
import io.pseries.core.intc.InterruptControllerProvider;

/** Registers the sPAPR XIVE controller as icMode {@code "xive"} (exploitation mode at CAS). */
public final class XiveProvider implements InterruptControllerProvider {
    @Override
    public String name() {
        return "xive";
    }

    @Override
    public CasRole casRole() {
        return CasRole.EXPLOITATION;
    }

    @Override
    public InterruptController create(IntcHost host) {
        return new SpaprXive(host);
    }
}
