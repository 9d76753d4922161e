package io.pseries.xics;

import io.pseries.core.intc.IntcHost;
import io.pseries.core.rtas.RtasCall;
import io.pseries.core.rtas.RtasStatus;

/**
 * The four XICS RTAS calls through which the guest configures a source in the ICS:
 * {@code ibm,set-xive} (server and priority), {@code ibm,get-xive}, {@code ibm,int-off}
 * (priority 0xFF, the current one saved) and {@code ibm,int-on} (the saved one back). They act
 * on the ICS {@link SpaprXics} serves now (the emulated one, or the kernel's) and are gated as
 * its hcalls are: once CAS negotiated XIVE exploitation every call answers -1.
 *
 * <p>Threading: the machine's thread only.
 */
final class XicsRtas {
    private final SpaprXics xics;
    private final IntcHost host;

    XicsRtas(SpaprXics xics, IntcHost host) {
        this.xics = xics;
        this.host = host;
    }

    void register() {
        host.rtas().register("ibm,set-xive", 1, this::setXive);
        host.rtas().register("ibm,get-xive", 3, this::getXive);
        host.rtas().register("ibm,int-off", 1, this::intOff);
        host.rtas().register("ibm,int-on", 1, this::intOn);
    }

    /**
     * The checks every XICS RTAS call starts with, in QEMU's order: gating (-1), then the
     * argument and return counts (-3), then the interrupt number (-3). Returns the source
     * number, or -1 when the status was set.
     */
    private int checkedSource(RtasCall c, String func, String name, int nargs, int nret) {
        if (!xics.emulated(c.cpu(), func)) {
            c.status(RtasStatus.HW_ERROR);
            return -1;
        }
        if (c.nargs() != nargs || c.nret() != nret) {
            host.trace().guestError(c.cpu().index(), String.format("%s: takes %d arguments and %d returns, got %d and %d",
                name, nargs, nret, c.nargs(), c.nret()), "nargs", c.nargs(), "nret", c.nret());
            c.status(RtasStatus.PARAM_ERROR);
            return -1;
        }
        long nr = c.arg(0);
        Ics ics = xics.ics();
        if (!ics.contains(nr)) {
            host.trace().guestError(c.cpu().index(), String.format("%s: interrupt 0x%x is outside the ICS [0x1000, 0x%x)",
                name, nr, Ics.OFFSET + ics.nrIrqs()), "irq", nr);
            c.status(RtasStatus.PARAM_ERROR);
            return -1;
        }
        return (int) nr - Ics.OFFSET;
    }

    /** ibm,set-xive(irq, server, priority). */
    private void setXive(RtasCall c) {
        int s = checkedSource(c, "rtas_set_xive", "ibm,set-xive", 3, 1);
        if (s < 0) {
            return;
        }
        long server = c.arg(1);
        long priority = c.arg(2);
        if (xics.cpuOfServer(server) < 0 || priority > 0xFF) {
            host.trace().guestError(c.cpu().index(), String.format("ibm,set-xive: %s", xics.cpuOfServer(server) < 0
                ? String.format("unknown server 0x%x", server) : String.format("priority 0x%x > 0xff", priority)),
                "server", server, "priority", priority);
            c.status(RtasStatus.PARAM_ERROR);
            return;
        }
        xics.servedIcs().writeXive(s, (int) server, (int) priority, (int) priority);
        c.status(RtasStatus.SUCCESS);
    }

    /** ibm,get-xive(irq) -> status, server, current priority. */
    private void getXive(RtasCall c) {
        int s = checkedSource(c, "rtas_get_xive", "ibm,get-xive", 1, 3);
        if (s < 0) {
            return;
        }
        Ics sics = xics.servedIcs();
        c.status(RtasStatus.SUCCESS);
        c.ret(1, sics.server(s));
        c.ret(2, sics.priority(s));
    }

    /** ibm,int-off(irq): priority 0xFF, the current one saved. */
    private void intOff(RtasCall c) {
        int s = checkedSource(c, "rtas_int_off", "ibm,int-off", 1, 1);
        if (s < 0) {
            return;
        }
        Ics sics = xics.servedIcs();
        sics.writeXive(s, sics.server(s), XicsRules.LOWEST, sics.priority(s));
        c.status(RtasStatus.SUCCESS);
    }

    /** ibm,int-on(irq): the saved priority back. */
    private void intOn(RtasCall c) {
        int s = checkedSource(c, "rtas_int_on", "ibm,int-on", 1, 1);
        if (s < 0) {
            return;
        }
        Ics sics = xics.servedIcs();
        int saved = sics.savedPriority(s);
        sics.writeXive(s, sics.server(s), saved, saved);
        c.status(RtasStatus.SUCCESS);
    }
}
