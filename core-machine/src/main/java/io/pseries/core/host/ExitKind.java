package io.pseries.core.host;

/** What made a guest access leave the guest: an hcall, an RTAS call (an H_RTAS hcall), or an MMIO access. */
public enum ExitKind {
    HCALL, RTAS, MMIO;

    public String jsName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
