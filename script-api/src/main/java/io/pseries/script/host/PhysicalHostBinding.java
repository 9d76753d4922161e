package io.pseries.script.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import io.pseries.core.host.pt.HostPciFunction;
import io.pseries.core.host.pt.PhysicalHost;
import io.pseries.core.util.Json;

/**
 * The Java half of a {@code pseries.host({...})} object: one physical host several machines
 * share, its PCI functions, and the machines created on it.
 *
 * <pre>
 *  machine(options)     ─► a VM on this host (its own VMM process and KVM VM)
 *  functions()          ─► the PCI functions as JSON (address, vectors, host IRQs, owner)
 *  fire(addr, v)        ─► the function raises MSI-X vector v (false: nobody armed it)
 *  assertIntx(addr, l)  ─► the function's INTx wire
 *  afuStore(addr, pa)   ─► the function's OpenCAPI AFU stores to a trigger page (false: no AFU irq has it)
 * </pre>
 *
 * <p>Threading: the script's thread.
 */
public final class PhysicalHostBinding {
    // not final: a host-group checkpoint (--checkpoint-invariance) puts a restored host in the old one's place
    private PhysicalHost host;
    private final PseriesHost pseries;
    /** The machines made on this host, in join order (vm0, vm1...). */
    private final List<MachineHost> machines = new ArrayList<>();

    PhysicalHostBinding(PhysicalHost host, PseriesHost pseries) {
        this.host = host;
        this.pseries = pseries;
    }

    public PhysicalHost host() {
        return host;
    }

    /** The machines on this host, in join order. */
    List<MachineHost> machines() {
        return List.copyOf(machines);
    }

    /** A host-group checkpoint's restored host takes this one's place (its machines are re-pointed by the caller). */
    void replace(PhysicalHost restored) {
        host = restored;
    }

    @HostAccess.Export
    public MachineHost machine(Value options) {
        MachineHost h = pseries.machineOn(this, options);
        machines.add(h);
        return h;
    }

    @HostAccess.Export
    public String functions() {
        List<Object> l = new ArrayList<>();
        for (HostPciFunction f : host.functions()) {
            l.add(f.info());
        }
        return Json.write(l);
    }

    private HostPciFunction function(String addr) {
        HostPciFunction f = host.function(addr);
        if (f == null) {
            List<String> known = host.functions().stream().map(HostPciFunction::addr).toList();
            throw new IllegalArgumentException("host.pci('" + addr + "'): the host has no PCI function at that address"
                + " (it has: " + (known.isEmpty() ? "none" : String.join(", ", known)) + ")");
        }
        return f;
    }

    @HostAccess.Export
    public boolean exists(String addr) {
        function(addr);
        return true;
    }

    @HostAccess.Export
    public String info(String addr) {
        return Json.write(function(addr).info());
    }

    @HostAccess.Export
    public boolean fire(String addr, int vector) {
        return function(addr).fire(vector);
    }

    @HostAccess.Export
    public void assertIntx(String addr, boolean level) {
        function(addr).assertIntx(level);
    }

    @HostAccess.Export
    public boolean afuStore(String addr, long physAddr) {
        HostPciFunction f = function(addr);
        if (f.afu() == null) {
            throw new IllegalArgumentException("host.pci('" + addr + "').afuStore: the function has no OpenCAPI AFU"
                + " (give it one with pci: [{ addr, ocapi: { irqs: N } }])");
        }
        return f.afu().afuStore(physAddr);
    }

    /** Plain data of the host options a script gave, split: {@code pci} and the rest. */
    static PhysicalHost create(Map<String, ?> options) {
        Map<String, Object> rest = new java.util.LinkedHashMap<>(options);
        Object pci = rest.remove("pci");
        Object bypass = rest.remove("irqBypass");
        if (pci != null && !(pci instanceof List<?>)) {
            throw new IllegalArgumentException("invalid host option pci: " + pci
                + "; expected an array such as [{ addr: '0000:01:00.0', msix: 8, intx: true }]");
        }
        if (bypass != null && !(bypass instanceof Boolean)) {
            throw new IllegalArgumentException("invalid host option irqBypass: " + bypass + "; expected true or false");
        }
        PhysicalHost h = PhysicalHost.of(io.pseries.core.host.HostConfig.fromMap(rest), pci == null ? List.of() : (List<?>) pci);
        if (bypass != null) {
            h.setIrqBypass((Boolean) bypass);
        }
        return h;
    }
}
