package io.pseries.script.host;

import org.graalvm.polyglot.HostAccess;

import io.pseries.core.GuestAccessPort;
import io.pseries.core.Machine;

/**
 * {@code m.port(cpu, addr, size)}: one guest access site a script repeats, resolved ahead
 * ({@link GuestAccessPort}), so each {@code load()}/{@code store(v)} is one host call without
 * arguments to check. The site follows the script's machine: under {@code --checkpoint-invariance}
 * a restored machine takes the old one's place, and the port is made again on it at its next use.
 *
 * <p>Threading: the script's thread, like {@link MachineHost}.
 */
public final class PortBinding {
    private final MachineHost h;
    private final int cpu;
    private final long addr;
    private final int size;
    private Machine of;
    private GuestAccessPort port;

    PortBinding(MachineHost h, int cpu, long addr, int size) {
        this.h = h;
        this.cpu = cpu;
        this.addr = addr;
        this.size = size;
        this.of = h.machine();
        this.port = of.port(cpu, addr, size);
    }

    private GuestAccessPort current() {
        Machine m = h.machine();
        if (m != of) {
            of = m;
            port = m.port(cpu, addr, size);
        }
        return port;
    }

    @HostAccess.Export
    public long load() {
        try {
            return current().load();
        } finally {
            h.rethrowListenerError();
        }
    }

    @HostAccess.Export
    public void store(long value) {
        try {
            current().store(value);
        } finally {
            h.rethrowListenerError();
        }
    }
}
