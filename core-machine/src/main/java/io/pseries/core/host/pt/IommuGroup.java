package io.pseries.core.host.pt;

import java.util.ArrayList;
import java.util.List;

/**
 * An IOMMU group of the host ({@code /dev/vfio/N}): the unit VFIO hands to one user. The
 * group file opens once at a time (a second open, from this process or another, is
 * {@code EBUSY}), and the functions in it are only reachable through that open file.
 *
 * <p>Threading: the machine's thread only.
 */
public final class IommuGroup {
    private final int number;
    private final List<HostPciFunction> functions = new ArrayList<>();
    /** The process holding the group file open, or {@code null}. */
    private String openedBy;

    public IommuGroup(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    void add(HostPciFunction f) {
        functions.add(f);
    }

    public List<HostPciFunction> functions() {
        return List.copyOf(functions);
    }

    /** The character device path, as QEMU prints it. */
    public String path() {
        return "/dev/vfio/" + number;
    }

    /** open(2) of the group file by {@code process}: false (EBUSY) when it is already open. */
    public boolean open(String process) {
        if (openedBy != null) {
            return false;
        }
        openedBy = process;
        return true;
    }

    public void close() {
        openedBy = null;
    }

    public String openedBy() {
        return openedBy;
    }
}
