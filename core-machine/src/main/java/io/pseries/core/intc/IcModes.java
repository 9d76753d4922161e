package io.pseries.core.intc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.pseries.core.util.Suggest;

/**
 * The machine's {@code icMode} option (QEMU's {@code ic-mode}): which modes the providers on
 * the class path make available (each provider's name, plus {@code "dual"} when both
 * {@code "xics"} and {@code "xive"} exist) and which providers a mode creates, in QEMU's
 * creation order (spapr_irq_init: the legacy controller first).
 *
 * <p>Stateless; any thread.
 */
public final class IcModes {
    private IcModes() {
    }

    /** The modes available with providers of these names, sorted, {@code "dual"} last. */
    public static List<String> available(List<String> providerNames) {
        List<String> modes = new ArrayList<>(providerNames);
        Collections.sort(modes);
        if (providerNames.contains("xics") && providerNames.contains("xive")) {
            modes.add("dual");
        }
        return modes;
    }

    /** The providers {@code icMode} creates, legacy first; a clear error for an unknown mode. */
    public static List<InterruptControllerProvider> choose(String icMode, List<InterruptControllerProvider> providers) {
        List<String> names = providers.stream().map(InterruptControllerProvider::name).toList();
        List<String> modes = available(names);
        if (!modes.contains(icMode)) {
            throw new IllegalArgumentException("invalid machine option icMode: '" + icMode + "'"
                + Suggest.didYouMean(icMode, modes) + "; expected one of " + String.join(", ", modes)
                + (providers.isEmpty() ? " (no interrupt-controller plugin is on the class path)" : ""));
        }
        List<InterruptControllerProvider> out = new ArrayList<>();
        for (InterruptControllerProvider p : providers) {
            boolean want = icMode.equals("dual") ? (p.name().equals("xics") || p.name().equals("xive")) : p.name().equals(icMode);
            if (want) {
                out.add(p);
            }
        }
        out.sort((a, b) -> a.casRole().compareTo(b.casRole()));
        return out;
    }

    /**
     * The providers {@code icMode} creates on a host with or without an in-kernel XIVE (QEMU's
     * spapr_irq_check): without one, {@code "dual"} becomes XICS only, so the in-kernel XICS is
     * used rather than an emulated XIVE. The mode is checked as given first.
     */
    public static List<InterruptControllerProvider> chooseOnHost(String icMode, boolean hostXive,
                                                                 List<InterruptControllerProvider> providers) {
        List<InterruptControllerProvider> chosen = choose(icMode, providers);
        return "dual".equals(icMode) && !hostXive ? choose("xics", providers) : chosen;
    }
}
