package io.pseries.core.dev;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.dt.DtNode;
import io.pseries.core.irq.IrqLine;
import io.pseries.core.irq.SpaprIrq;

/**
 * The RTAS event sources every pseries machine has: EPOW (environmental and power warnings,
 * 0x1000) and hot-plug (0x1001), both message-signalled, under {@code /event-sources}.
 */
public final class EventSources extends Device {
    private IrqLine epow;
    private IrqLine hotplug;

    public EventSources() {
        super("event-sources");
    }

    @Override
    public String name() {
        return "event-sources";
    }

    @Override
    public void realize(DeviceHost m) {
        epow = m.claimIrq(SpaprIrq.EPOW, false, "event-sources epow-events");
        hotplug = m.claimIrq(SpaprIrq.HOTPLUG, false, "event-sources hot-plug-events");
    }

    @Override
    public List<IrqLine> lines() {
        return List.of(epow, hotplug);
    }

    public IrqLine epow() {
        return epow;
    }

    public IrqLine hotplug() {
        return hotplug;
    }

    @Override
    public void writeDeviceTree(DtNode root) {
        DtNode es = root.addChild("event-sources");
        es.setCells("interrupt-ranges", SpaprIrq.EPOW, 1, SpaprIrq.HOTPLUG, 1);
        es.setCells("#interrupt-cells", 2);
        es.setEmpty("interrupt-controller");
        es.addChild("hot-plug-events").setCells("interrupts", SpaprIrq.HOTPLUG, 0);
        es.addChild("epow-events").setCells("interrupts", SpaprIrq.EPOW, 0);
    }

    @Override
    public Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type());
        m.put("name", name());
        m.put("irqs", List.of(SpaprIrq.EPOW, SpaprIrq.HOTPLUG));
        return m;
    }
}
