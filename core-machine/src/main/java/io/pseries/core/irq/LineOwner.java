package io.pseries.core.irq;

/**
 * Whoever handles the guest side of an interrupt line: told when the guest's handler for one
 * of its interrupts ran, so that a level-triggered source can deassert (as a driver reading the
 * device's status register makes it do). Devices are line owners.
 *
 * <p>Threading: called on the machine's thread.
 */
@FunctionalInterface
public interface LineOwner {
    void guestHandled(int irq);
}
