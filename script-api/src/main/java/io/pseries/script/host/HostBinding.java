package io.pseries.script.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.graalvm.polyglot.HostAccess;

import io.pseries.core.Machine;
import io.pseries.core.host.Host;
import io.pseries.core.host.HostLayout;
import io.pseries.core.host.KvmDevice;
import io.pseries.core.host.KvmDeviceType;
import io.pseries.core.host.KvmResult;
import io.pseries.core.host.MemSlot;
import io.pseries.core.host.Vma;
import io.pseries.core.util.Json;

/**
 * The Java half of {@code m.host}: the simulated host under one machine as plain data (its KVM
 * devices, the VMM's VMAs, the KVM memory slots, the counters, the layout figures) and the raw
 * device-attribute calls of {@code m.host.xive} and {@code m.host.xics}.
 *
 * <pre>
 *  devices() vmas() memslots() stats() layout()  ─► JSON of the live host
 *  attr(type, call, group, attr, data)  ─► KVM_{GET,SET,HAS}_DEVICE_ATTR on the VM's device of that type
 *                                         ─► { ret, errno, data }  (EBADF when no such device is open)
 * </pre>
 *
 * Attribute calls go through the VM exactly as the VMM's own do (counted, traced as {@code kvm}
 * events); bad groups, attributes or data get the kernel's errno, never an exception.
 *
 * <p>Threading: the script's thread, while the machine is paused (as every machine call).
 */
public final class HostBinding {
    private final Machine m;

    public HostBinding(Machine m) {
        this.m = m;
    }

    private Host host() {
        return m.host();
    }

    @HostAccess.Export
    public String devices() {
        List<Object> l = new ArrayList<>();
        for (Host.DeviceInfo d : host().devices()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("fd", d.fd());
            e.put("type", d.typeName());
            e.put("typeNumber", d.type());
            e.put("name", d.name());
            e.put("attributes", d.attributes());
            l.add(e);
        }
        return Json.write(l);
    }

    @HostAccess.Export
    public String vmas() {
        List<Object> l = new ArrayList<>();
        for (Vma v : host().vmas()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", v.name());
            e.put("start", v.start());
            e.put("size", v.size());
            e.put("pages", v.pages());
            e.put("pagesMapped", v.pagesMapped());
            e.put("fd", v.file() == null ? null : v.fd());
            e.put("pgoff", v.file() == null ? null : v.pgoff());
            l.add(e);
        }
        return Json.write(l);
    }

    @HostAccess.Export
    public String memslots() {
        List<Object> l = new ArrayList<>();
        for (MemSlot s : host().memslots().list()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("slot", s.slot());
            e.put("name", s.name());
            e.put("gpa", s.gpa());
            e.put("size", s.size());
            e.put("hva", s.hva());
            l.add(e);
        }
        return Json.write(l);
    }

    @HostAccess.Export
    public String stats() {
        return Json.write(host().stats().toMap());
    }

    @HostAccess.Export
    public String layout() {
        return Json.write(HostLayout.of(host()));
    }

    /** The groups a device names, for resolving {@code 'SOURCE'} to its number. */
    @HostAccess.Export
    public long groupNumber(String type, String name) {
        KvmDevice d = device(type);
        if (d != null) {
            for (long g = 0; g < 64; g++) {
                if (name.equals(d.groupName(g))) {
                    return g;
                }
            }
        }
        return -1;
    }

    @HostAccess.Export
    public boolean present(String type) {
        return device(type) != null;
    }

    /**
     * One attribute call on the VM's device of {@code type} ({@code "xive"} or {@code "xics"}):
     * {@code call} is {@code "get"}, {@code "set"} or {@code "has"}; {@code data} the u64 words a
     * set passes as comma-separated decimal words (null: a bad user pointer). Returns
     * {@code { ret, errno, data }} as JSON.
     */
    @HostAccess.Export
    public String attr(String type, String call, long group, long attr, String words) {
        int fd = fd(type);
        long[] data = null;
        if (words != null) {
            String[] w = words.isEmpty() ? new String[0] : words.split(",");
            data = new long[w.length];
            for (int i = 0; i < w.length; i++) {
                data[i] = new java.math.BigInteger(w[i]).longValue();
            }
        }
        KvmResult r = switch (call) {
            case "get" -> host().vm().getAttr(fd, group, attr);
            case "set" -> host().vm().setAttr(fd, group, attr, data);
            default -> host().vm().hasAttr(fd, group, attr);
        };
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ret", r.ret());
        out.put("errno", r.errno() == null ? null : r.errno().name());
        List<Long> d = new ArrayList<>();
        for (long w : r.data()) {
            d.add(w);
        }
        if ("get".equals(call)) {
            out.put("data", d);
        }
        return Json.write(out);
    }

    private KvmDevice device(String type) {
        return host().vm().deviceOfType(typeNumber(type));
    }

    private int fd(String type) {
        KvmDevice d = device(type);
        if (d != null) {
            for (Map.Entry<Integer, KvmDevice> e : host().process().fds().entrySet()) {
                if (e.getValue() == d) {
                    return e.getKey();
                }
            }
        }
        return -1; // no such device open: the kernel answers EBADF
    }

    private static int typeNumber(String type) {
        return "xics".equals(type) ? KvmDeviceType.XICS : KvmDeviceType.XIVE;
    }
}
