package io.pseries.xive;

/**
 * How a hypervisor programs an END as an OS event queue: the one place that turns
 * (queue page, size, notification mode, target NVT, priority) into END words, used both by
 * the emulated sPAPR controller (H_INT_SET_QUEUE_CONFIG) and by the simulated in-kernel device
 * ({@code KVM_DEV_XIVE_GRP_EQ_CONFIG}, OPAL's queue configuration).
 *
 * <pre>
 *  w0 |= VALID | ENQUEUE, QSIZE = qshift - 12, UCOND_NOTIFY = always-notify (other bits kept)
 *  w1 GENERATION = 1, page offset 0 (ESn = ESe = 00)
 *  w2/w3 queue address      w6 NVT block/index      w7 priority (format 0)    w4/w5 kept
 *  reset: all words 0, then ESn = ESe = 01 ("off")
 * </pre>
 */
public final class EndConfig {
    private EndConfig() {
    }

    /** Programs END {@code end} as a queue of {@code 1 << qshift} bytes at {@code qpage}. */
    public static void configureQueue(XiveRouter router, int end, long qpage, int qshift, boolean alwaysNotify,
                                      int nvtBlock, int nvtIndex, int priority) {
        // the other words and w0 bits (escalation set-up) are kept, as QEMU edits a copy of the END
        int[] w = new int[End.WORDS];
        for (int i = 0; i < End.WORDS; i++) {
            w[i] = router.endWord(end, i);
        }
        w[2] = (int) ((qpage >>> 32) & 0x0fff_ffff);
        w[3] = (int) qpage;
        w[0] |= End.W0_ENQUEUE;
        w[0] = Field.set32(End.W0_QSIZE, w[0], qshift - 12);
        w[6] = Field.set32(End.W6_NVT_BLOCK, 0, nvtBlock) | Field.set32(End.W6_NVT_INDEX, 0, nvtIndex);
        w[7] = Field.set32(End.W7_F0_PRIORITY, 0, priority);
        if (alwaysNotify) {
            w[0] |= End.W0_UCOND_NOTIFY;
        } else {
            w[0] &= ~End.W0_UCOND_NOTIFY;
        }
        w[1] = End.W1_GENERATION;
        w[0] |= End.W0_VALID;
        for (int i = 0; i < End.WORDS; i++) {
            router.setEndWord(end, i, w[i]);
        }
    }

    /** Resets END {@code end}: not valid, no queue, ESn and ESe "off". */
    public static void reset(XiveRouter router, int end) {
        router.resetEnd(end);
    }

    /** Whether END {@code end} has a queue (ENQUEUE set). */
    public static boolean hasQueue(XiveRouter router, int end) {
        return (router.endWord(end, 0) & End.W0_ENQUEUE) != 0;
    }

    /** The queue's generation bit (the "toggle") and page offset (the index). */
    public static int toggle(XiveRouter router, int end) {
        return (router.endWord(end, 1) & End.W1_GENERATION) != 0 ? 1 : 0;
    }

    public static int index(XiveRouter router, int end) {
        return router.endWord(end, 1) & End.W1_PAGE_OFF;
    }

    /** Restores the queue position (generation and page offset), as a migration restore does. */
    public static void setPosition(XiveRouter router, int end, int toggle, int index) {
        int w1 = router.endWord(end, 1);
        w1 = (w1 & ~(End.W1_GENERATION | End.W1_PAGE_OFF)) | (toggle != 0 ? End.W1_GENERATION : 0)
            | (index & End.W1_PAGE_OFF);
        router.setEndWord(end, 1, w1);
    }

    /** The EAS word routing to END (block, index) with event data {@code data}, valid, optionally masked. */
    public static long eas(int endBlock, int endIndex, int data, boolean masked) {
        long w = Eas.VALID | (masked ? Eas.MASKED : 0);
        w = Field.set(Eas.END_BLOCK, w, endBlock);
        w = Field.set(Eas.END_INDEX, w, endIndex);
        return Field.set(Eas.END_DATA, w, data);
    }
}
