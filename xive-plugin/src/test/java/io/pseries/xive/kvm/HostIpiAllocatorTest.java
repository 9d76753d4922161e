package io.pseries.xive.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The host XIVE's IPI pool hands out numbers as OPAL's allocate-irq does: the lowest free bit of
 * the chip's IPI bitmap, so a freed number is given again before any higher one.
 */
class HostIpiAllocatorTest {
    @Test
    void aFreedHwIpiIsTheNextOneHandedOut() {
        HostXive hx = new KvmXiveFixture(2).hx();
        int a = hx.allocIrq();
        int b = hx.allocIrq();
        int c = hx.allocIrq();
        assertEquals(b + 1, c, "fresh numbers come in order");
        hx.freeIrq(a);
        hx.freeIrq(b);
        assertEquals(a, hx.allocIrq(), "the lowest freed number first");
        assertEquals(b, hx.allocIrq(), "then the next freed one");
        assertEquals(c + 1, hx.allocIrq(), "then past the highest in use");
    }
}
