package dev.airlock.packages;

import dev.airlock.platform.npm.PackumentBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Assembled packuments kept in memory (docs/adr/0017-incremental-packuments.md), and where the tarballs of public
 * packages' published versions are (a tarball read then costs no row either): both forms of a package, their
 * identity bytes and, made on the first gzip read, their gzip bytes, in direct buffers (outside the small heap),
 * bounded in bytes, least recently used first out. Filled on read; {@link #invalidate}d after the commit of every
 * change to the package on every node. With each entry go the package's scope and access, so that a hit still
 * answers 404 to whoever may not read it.
 *
 * <p>No race between a read and a change: a reader takes the name's {@link #generation} before its one-statement
 * read, and {@link #put} refuses the entry when an invalidation of that name happened since (generations are striped
 * by name hash, so an unrelated invalidation may at worst cost a put).
 */
final class PackumentCache {
    private static final int STRIPES = 1024;
    /** Direct memory beyond the cache's bound that the server's own buffers want (Jetty's pool, file reads). */
    static final long DIRECT_HEADROOM = 24L << 20;
    /** How long an entry is served before it is assembled again, whatever happened. */
    static final java.time.Duration MAX_AGE = java.time.Duration.ofSeconds(10);

    /**
     * The bytes of one document: its identity bytes and, once asked for, its gzip bytes, in direct buffers that are
     * freed as soon as nobody holds them (instead of when the collector finds them, which let the garbage of changed
     * packages grow the process by tens of megabytes between full collections). Counted holders: each cache entry on
     * it, and each reader from its {@link #get} or {@link #put} until its {@link Entry#release} (after the write).
     * A reader that never releases only leaves the freeing to the collector.
     */
    static final class Body {
        private final ByteBuffer identityRaw;
        final ByteBuffer identity;
        private volatile ByteBuffer gzipRaw;
        private volatile ByteBuffer gzip;
        private final java.util.concurrent.atomic.AtomicInteger holders =
                new java.util.concurrent.atomic.AtomicInteger(1);

        Body(ByteBuffer identityRaw) {
            this.identityRaw = identityRaw;
            this.identity = identityRaw.asReadOnlyBuffer();
        }

        /** One more holder; false when the bytes are already freed (only ever asked while a holder exists). */
        boolean retain() {
            for (int n = holders.get(); n > 0; n = holders.get()) {
                if (holders.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }

        /** How many hold the bytes now (0: freed). */
        int holders() {
            return holders.get();
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                free(identityRaw);
                free(gzipRaw);
            }
        }
    }

    /** One form of one package: its body, its entity tag, and who may read it. */
    static final class Entry {
        final String key;
        final String scope;
        final String access;
        final String etag;
        final Body body;
        final long born = System.nanoTime();

        Entry(String key, String scope, String access, String etag, Body body) {
            this.key = key;
            this.scope = scope;
            this.access = access;
            this.etag = etag;
            this.body = body;
        }

        ByteBuffer gzip() {
            return body.gzip;
        }

        long bytes() {
            ByteBuffer g = body.gzip;
            return (long) body.identity.capacity() + (g == null ? 0 : g.capacity());
        }

        /** The reader is done with the bytes (they have been written, or copied). */
        void release() {
            body.release();
        }
    }

    /** Tarball rows of public packages' published versions kept at most (each a few hundred bytes). */
    static final int MAX_TARBALLS = 50_000;

    /** Where a public package's published version's tarball is, and since when this is known. */
    private record Tarball(TarballRef ref, long born) {}

    private final long maxBytes;
    private final long maxAgeNanos;
    /** name → version → tarball row: invalidated with the package's packuments, cleared whole when full. */
    private final java.util.HashMap<String, java.util.HashMap<String, Tarball>> tarballs = new java.util.HashMap<>();

    private int tarballCount;
    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /**
     * A cache of at most {@code maxBytes} bytes of bodies (0 keeps nothing), each kept at most {@code maxAge}: the
     * bound on staleness when a change comes from elsewhere than this process's transactions and the cluster's
     * notifications (a one-off command beside a SQLite server, a notification lost while the listener reconnected).
     */
    PackumentCache(long maxBytes, java.time.Duration maxAge) {
        this.maxBytes = maxBytes;
        this.maxAgeNanos = maxAge.toNanos();
        long direct = maxDirectMemory();
        if (maxBytes > 0 && direct > 0 && maxBytes + DIRECT_HEADROOM > direct) {
            org.slf4j.LoggerFactory.getLogger(PackumentCache.class)
                    .warn(
                            "cache.packumentBytes ({} MiB) leaves less than {} MiB of the JVM's direct memory ({} MiB,"
                                    + " -XX:MaxDirectMemorySize) for the server's buffers and the garbage of replaced"
                                    + " entries: raise -XX:MaxDirectMemorySize in AIRLOCK_JAVA_OPTS (entries that do"
                                    + " not fit are held on the heap)",
                            maxBytes >> 20,
                            DIRECT_HEADROOM >> 20,
                            direct >> 20);
        }
    }

    private static String key(String name, boolean abbreviated) {
        return (abbreviated ? "a:" : "f:") + name;
    }

    private static int stripe(String name) {
        return (name.hashCode() & 0x7fffffff) % STRIPES;
    }

    /**
     * The entry of one form of a package, or null (counted as a hit or a miss), held for the reader until its
     * {@link Entry#release}. An entry past its age is not served but stays until the reader's {@link #put}, which
     * keeps its buffers when the document did not change.
     */
    Entry get(String name, boolean abbreviated) {
        Entry e;
        synchronized (this) {
            e = maxBytes == 0 ? null : entries.get(key(name, abbreviated));
            if (e != null && (System.nanoTime() - e.born > maxAgeNanos || !e.body.retain())) {
                e = null;
            }
        }
        (e == null ? misses : hits).increment();
        return e;
    }

    /** Taken before the read whose result is {@link #put}. */
    long generation(String name) {
        return generations.get(stripe(name));
    }

    /**
     * A direct buffer holding {@code bytes}; a heap buffer when the JVM's direct memory
     * ({@code -XX:MaxDirectMemorySize}, 64 MiB in the launcher's defaults) is used up even after the collection that
     * the JVM makes before it refuses, e.g. a cache bound set near the JVM's: a read is never refused for this.
     */
    static ByteBuffer direct(byte[] bytes) {
        ByteBuffer b;
        try {
            b = ByteBuffer.allocateDirect(bytes.length);
        } catch (OutOfMemoryError directMemoryFull) {
            return ByteBuffer.wrap(bytes);
        }
        b.put(bytes).flip();
        return b;
    }

    /** {@code sun.misc.Unsafe.invokeCleaner}, bound once; null where the JVM does not offer it. */
    private static final java.lang.invoke.MethodHandle INVOKE_CLEANER = invokeCleaner();

    private static java.lang.invoke.MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return java.lang.invoke.MethodHandles.lookup()
                    .findVirtual(
                            unsafeClass,
                            "invokeCleaner",
                            java.lang.invoke.MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException unavailable) {
            return null;
        }
    }

    /**
     * Frees a direct buffer's memory now (a heap buffer, or a JVM without the means, is left to the collector). Only
     * for a buffer nobody will touch again.
     */
    static void free(ByteBuffer raw) {
        if (raw == null || !raw.isDirect() || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(raw);
        } catch (Throwable e) {
            throw new IllegalStateException("could not free a direct buffer", e);
        }
    }

    /** Whether {@link #free} frees memory at once on this JVM. */
    static boolean freesAtOnce() {
        return INVOKE_CLEANER != null;
    }

    /**
     * The JVM's bound on direct memory in bytes ({@code -XX:MaxDirectMemorySize}; when not set, the heap's maximum),
     * or -1 when it cannot be told.
     */
    static long maxDirectMemory() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            long set = vm == null
                    ? -1
                    : Long.parseLong(vm.getVMOption("MaxDirectMemorySize").getValue());
            return set > 0 ? set : set == 0 ? Runtime.getRuntime().maxMemory() : -1;
        } catch (RuntimeException unknown) {
            return -1;
        }
    }

    /**
     * Keeps both forms read under {@code generation}, unless the name was invalidated since (or an entry is larger
     * than the whole cache). Returns the entries, kept or not, each held for the reader until its
     * {@link Entry#release}.
     */
    Entry[] put(String name, long generation, String scope, String access, String full, String abbreviated) {
        Entry f = entry(key(name, false), scope, access, full);
        Entry a = entry(key(name, true), scope, access, abbreviated);
        f.body.retain(); // the reader's hold; the entry's own is given to the cache or let go below
        a.body.retain();
        synchronized (this) {
            boolean keep = maxBytes > 0 && generations.get(stripe(name)) == generation;
            for (Entry e : new Entry[] {f, a}) {
                if (!(keep && store(e))) {
                    e.release();
                }
            }
            evict();
        }
        return new Entry[] {f, a};
    }

    /**
     * A new entry for {@code json}, on the body of the entry it replaces when that one holds the same document (an
     * entry past its age is assembled again every few seconds; its identical bytes need not be copied, gzipped and
     * allocated outside the heap again).
     */
    private Entry entry(String key, String scope, String access, String json) {
        String etag = PackumentBytes.etag(json);
        synchronized (this) {
            Entry old = entries.get(key);
            if (old != null && old.etag.equals(etag) && old.body.retain()) {
                return new Entry(key, scope, access, etag, old.body);
            }
        }
        return new Entry(key, scope, access, etag, new Body(direct(json.getBytes(StandardCharsets.UTF_8))));
    }

    /** Puts {@code e} in, letting go of the entry it replaces; false (and nothing changed) when it is too large. */
    private boolean store(Entry e) {
        if (e.bytes() > maxBytes) {
            return false;
        }
        Entry old = entries.put(e.key, e);
        bytes += e.bytes() - (old == null ? 0 : old.bytes());
        if (old != null) {
            old.release();
        }
        return true;
    }

    /**
     * The gzip bytes of an entry the caller holds, made now when it has none yet (and counted in the bound if it is
     * still kept).
     */
    ByteBuffer gzip(Entry e) {
        Body b = e.body;
        ByteBuffer g = b.gzip;
        if (g != null) {
            return g;
        }
        byte[] identity = new byte[b.identity.capacity()];
        b.identity.duplicate().get(identity);
        ByteBuffer raw = direct(gzip(identity));
        synchronized (this) {
            if (b.gzip != null) {
                free(raw); // another reader made it first; nobody saw these bytes
                return b.gzip;
            }
            b.gzipRaw = raw;
            b.gzip = raw.asReadOnlyBuffer();
            Entry kept = entries.get(e.key); // e itself, or the entry that replaced it on the same body
            if (kept != null && kept.body == b) {
                bytes += b.gzip.capacity();
                evict();
            }
            return b.gzip;
        }
    }

    private static byte[] gzip(byte[] identity) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(identity.length / 4 + 64);
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(identity);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void evict() {
        Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
            Entry e = it.next().getValue();
            bytes -= e.bytes();
            it.remove();
            e.release();
        }
    }

    /** The tarball row of a public package's published version when memory holds it, else null. */
    synchronized TarballRef tarball(String name, String version) {
        java.util.HashMap<String, Tarball> versions = tarballs.get(name);
        Tarball t = versions == null ? null : versions.get(version);
        if (t == null) {
            return null;
        }
        if (System.nanoTime() - t.born > maxAgeNanos) {
            versions.remove(version);
            tarballCount--;
            return null;
        }
        return t.ref;
    }

    /** Keeps the tarball row of a public package's published version read under {@code generation} (as {@link #put}). */
    synchronized void putTarball(String name, String version, long generation, TarballRef ref) {
        if (maxBytes == 0 || generations.get(stripe(name)) != generation) {
            return;
        }
        if (tarballCount >= MAX_TARBALLS) {
            tarballs.clear();
            tarballCount = 0;
        }
        if (tarballs.computeIfAbsent(name, n -> new java.util.HashMap<>())
                        .put(version, new Tarball(ref, System.nanoTime()))
                == null) {
            tarballCount++;
        }
    }

    /** Forgets both forms of {@code name}; a read under an earlier generation will not put them back. */
    void invalidate(String name) {
        synchronized (this) {
            generations.incrementAndGet(stripe(name));
            java.util.HashMap<String, Tarball> versions = tarballs.remove(name);
            if (versions != null) {
                tarballCount -= versions.size();
            }
            for (boolean abbreviated : new boolean[] {false, true}) {
                Entry e = entries.remove(key(name, abbreviated));
                if (e != null) {
                    bytes -= e.bytes();
                    e.release();
                }
            }
        }
    }

    /** Forgets everything (e.g. after every packument was rebuilt). */
    synchronized void clear() {
        for (int i = 0; i < STRIPES; i++) {
            generations.incrementAndGet(i);
        }
        entries.values().forEach(Entry::release);
        entries.clear();
        bytes = 0;
        tarballs.clear();
        tarballCount = 0;
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }

    synchronized long bytes() {
        return bytes;
    }
}
