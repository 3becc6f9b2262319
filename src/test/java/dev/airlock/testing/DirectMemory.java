package dev.airlock.testing;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/** The JVM's direct-buffer pool, to tell whether memory outside the heap was freed without a collection. */
public final class DirectMemory {
    private DirectMemory() {}

    /** Bytes of direct buffers allocated and not yet freed, in this JVM. */
    public static long used() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .findFirst()
                .orElseThrow()
                .getMemoryUsed();
    }
}
