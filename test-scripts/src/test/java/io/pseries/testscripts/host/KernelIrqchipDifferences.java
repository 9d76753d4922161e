package io.pseries.testscripts.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pseries.core.Machine;

/**
 * The places where QEMU with an in-kernel XIVE and QEMU's emulated XIVE themselves differ, for
 * the tests that compare a {@code kernelIrqchip 'off'} machine with an {@code 'on'} one: each is
 * checked to hold as the rule says, then taken out, so the rest can be compared as equal.
 *
 * <ul>
 *   <li>The OS ring's LSMFB: KVM saves 0 at every pull and pushes that (kvmppc_xive_pull_vcpu),
 *       the emulated thread context resets it to 0xFF (xive_tctx_reset). A guest sees it in
 *       the low byte of a 4-byte TIMA load at OS+0x10.</li>
 *   <li>The OS ring's AGE in {@code pic()}: QEMU's {@code info pic} shows what KVM_GET_ONE_REG
 *       (VP_STATE) answers, the words an 8-byte load through the HV view saved, which does not
 *       show AGE (0); emulated it is 0xFF. No guest page shows AGE.</li>
 *   <li>An LSI's Q bit: in the kernel the LSI is a hardware IPI with MSI rules, so a trigger
 *       while P is set sets Q (QEMU's LSI never sets it); {@code pic()} is compared on P only.</li>
 * </ul>
 */
public final class KernelIrqchipDifferences {
    private KernelIrqchipDifferences() {
    }

    /** The LSMFB a guest reads in the machine's mode. */
    public static int lsmfb(Machine m) {
        return m.activeController().inKernel() ? 0 : 0xff;
    }

    /** {@code m.pic()} with the OS rings' LSMFB and AGE checked against the mode's rule and removed. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> comparablePic(Machine m) {
        Map<String, Object> pic = new LinkedHashMap<>(m.pic());
        if (!"xive".equals(pic.get("mode"))) {
            return pic;
        }
        int expected = lsmfb(m);
        List<Object> cpus = new ArrayList<>();
        for (Object o : (List<Object>) pic.get("cpus")) {
            Map<String, Object> c = new LinkedHashMap<>((Map<String, Object>) o);
            Map<String, Object> os = new LinkedHashMap<>((Map<String, Object>) c.get("os"));
            assertEquals(expected, os.remove("lsmfb"), "LSMFB of cpu " + c.get("cpu") + " with irqchip "
                + (m.activeController().inKernel() ? "in-kernel" : "emulated"));
            assertEquals(expected, os.remove("age"), "AGE of cpu " + c.get("cpu") + " in pic()");
            c.put("os", os);
            cpus.add(c);
        }
        pic.put("cpus", cpus);
        List<Object> sources = new ArrayList<>();
        for (Object o : (List<Object>) pic.get("sources")) {
            Map<String, Object> src = new LinkedHashMap<>((Map<String, Object>) o);
            if ("LSI".equals(src.get("type"))) {
                src.put("pq", ((String) src.get("pq")).charAt(0) == 'P' ? "P" : "-");
            }
            sources.add(src);
        }
        pic.put("sources", sources);
        return pic;
    }
}
