package io.pseries.script.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

import io.pseries.core.Machine;
import io.pseries.core.cas.CasException;
import io.pseries.core.cas.CasResult;
import io.pseries.core.cas.GuestOv5;
import io.pseries.core.cas.OptionVector;
import io.pseries.core.dt.DtNode;
import io.pseries.core.dt.Dts;
import io.pseries.core.hcall.PaprRc;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.util.Json;

/**
 * The Java half of a machine's platform API: {@code m.config}, {@code m.info()}, {@code m.host},
 * {@code m.cas()}, {@code m.icMode}, the device tree ({@code m.fdt()}, {@code m.dt()},
 * {@code m.dts()}) and the interrupt lines ({@code m.irq(n)}). Like {@link MachineHost} it takes
 * and returns primitives, arrays and JSON strings only, and it always acts on the host's current
 * machine (a checkpoint may have replaced it).
 *
 * <p>Threading: the script's thread; a listener's exception is rethrown once the call is done.
 */
public final class PlatformBinding {
    private final MachineHost h;

    PlatformBinding(MachineHost h) {
        this.h = h;
    }

    private Machine m() {
        return h.machine();
    }

    @HostAccess.Export
    public String config() {
        StackHeadroom.require("m.config");
        io.pseries.core.MachineConfig cfg = h.machine().config();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cpus", cfg.cpus());
        c.put("threads", cfg.threads());
        c.put("vsmt", cfg.vsmt());
        c.put("icMode", cfg.icMode());
        c.put("kernelIrqchip", cfg.kernelIrqchip());
        c.put("memory", cfg.memory());
        List<Object> devs = new ArrayList<>();
        for (var d : cfg.devices()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("type", d.type());
            dm.putAll(d.options());
            devs.add(dm);
        }
        c.put("devices", devs);
        c.put("seed", cfg.seed());
        c.put("nrIrqs", cfg.nrIrqs());
        c.put("dtcClean", cfg.platform().dtcClean());
        c.put("xVof", cfg.platform().xVof());
        c.put("esbLoads", cfg.platform().esbLoads());
        c.put("experimental", cfg.platform().experimental());
        c.put("hostThreads", cfg.hostThreads());
        return Json.write(c);
    }

    /** {@code m.host}: the simulated host under this machine. */
    @HostAccess.Export
    public HostBinding host() {
        return new HostBinding(h::machine);
    }

    @HostAccess.Export
    public String info() {
        StackHeadroom.require("m.info()");
        return Json.write(h.machine().info());
    }

    // ------------------------------------------------------------------ CAS

    /** CAS with a guest offer; returns JSON {ok, ...result} or {ok: false, message, rc, fatal}. */
    @HostAccess.Export
    public String casOffer(String offer) {
        StackHeadroom.require("m.cas()");
        GuestOv5.Offer o = GuestOv5.Offer.parse(offer);
        int b23 = GuestOv5.byte23(o, m().platformInterruptModes());
        return casJson(GuestOv5.linuxVector(b23));
    }

    /** CAS with raw option vector 5 bytes (length byte first), or none when {@code bytes} is null. */
    @HostAccess.Export
    public String casRaw(int[] bytes) {
        StackHeadroom.require("m.cas()");
        if (bytes == null) {
            return casJson(null);
        }
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] < 0 || bytes[i] > 255) {
                throw new IllegalArgumentException("option vector byte " + i + " must be 0..255, got " + bytes[i]);
            }
            b[i] = (byte) bytes[i];
        }
        return casJson(OptionVector.decode(b));
    }

    private String casJson(OptionVector ov5) {
        Map<String, Object> r = new LinkedHashMap<>();
        try {
            CasResult c = m().cas(ov5);
            r.put("ok", true);
            r.put("mode", c.mode());
            r.put("requested", c.requested());
            r.put("answer", c.answer());
            r.put("switched", c.switched());
            List<Object> enc = new ArrayList<>();
            for (byte x : c.negotiated().encode()) {
                enc.add(x & 0xff);
            }
            r.put("ov5", enc);
            h.boundary("after m.cas()");
        } catch (CasException e) {
            r.put("ok", false);
            r.put("message", e.getMessage());
            r.put("rc", e.rc());
            r.put("rcName", e.rc() == 0 ? null : PaprRc.name(e.rc()));
            r.put("fatal", e.fatal());
        } finally {
            h.rethrowListenerError();
        }
        return Json.write(r);
    }

    @HostAccess.Export
    public String icMode() {
        return m().icMode();
    }

    @HostAccess.Export
    public int platformInterruptModes() {
        return m().platformInterruptModes();
    }

    // ------------------------------------------------------------------ device tree

    @HostAccess.Export
    public byte[] fdt() {
        StackHeadroom.require("m.fdt()");
        return m().fdt();
    }

    @HostAccess.Export
    public String dts() {
        StackHeadroom.require("m.dts()");
        return Dts.render(m().deviceTree());
    }

    /** The tree (or the node at {@code path}) as JSON: {name, path, props, children}. */
    @HostAccess.Export
    public String dt(String path) {
        StackHeadroom.require("m.dt()");
        DtNode root = m().deviceTree();
        DtNode n = path == null || path.equals("/") ? root : root.find(path);
        if (n == null) {
            throw new IllegalArgumentException("no device-tree node at " + path);
        }
        return Json.write(DtJson.node(n, path == null ? "/" : path));
    }

    // ------------------------------------------------------------------ lines

    private IrqLine line(long n) {
        return m().irq(n);
    }

    @HostAccess.Export
    public String irqInfo(long n) {
        StackHeadroom.require("m.irq()");
        IrqLine l = line(n);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("irq", l.irq());
        r.put("type", l.lsi() ? "LSI" : "MSI");
        r.put("driver", l.driver());
        return Json.write(r);
    }

    @HostAccess.Export
    public boolean irqLevel(long n) {
        return line(n).level();
    }

    @HostAccess.Export
    public void irqSet(long n, boolean level) {
        try {
            line(n).set(level);
            if (h.checkpointing()) {
                h.boundary(String.format("after line 0x%x set %s", n, level));
            }
        } finally {
            h.rethrowListenerError();
        }
    }

    @HostAccess.Export
    public void irqPulse(long n) {
        try {
            line(n).pulse();
            if (h.checkpointing()) {
                h.boundary(String.format("after line 0x%x pulsed", n));
            }
        } finally {
            h.rethrowListenerError();
        }
    }
}
