package dev.airlock.packages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.airlock.testing.DirectMemory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The packument byte cache: bounded in bytes, least recently used out, no stale put after an invalidation. */
class PackumentCacheTest {
    static final Duration LONG = Duration.ofHours(1);

    static String doc(int bytes) {
        return "{\"x\":\"" + "a".repeat(bytes - 8) + "\"}";
    }

    @Test
    void staysWithinItsByteBoundAndDropsTheLeastRecentlyUsed() {
        PackumentCache cache = new PackumentCache(10_000, LONG);
        for (int i = 0; i < 20; i++) {
            String name = "p" + i;
            cache.put(name, cache.generation(name), null, "public", doc(2_000), doc(1_000));
            assertTrue(cache.bytes() <= 10_000, "bytes held: " + cache.bytes());
            cache.get("p0", false); // kept warm: used after every put
        }
        assertNotNull(cache.get("p0", false));
        assertNull(cache.get("p1", false));
        assertNotNull(cache.get("p19", true));
        // the gzip form counts in the bound too
        for (int i = 15; i < 20; i++) {
            PackumentCache.Entry e = cache.get("p" + i, false);
            if (e != null) {
                cache.gzip(e);
            }
            assertTrue(cache.bytes() <= 10_000, "bytes held: " + cache.bytes());
        }
        // an entry larger than the whole cache is served but not kept
        PackumentCache.Entry[] big = cache.put("huge", cache.generation("huge"), null, "public", doc(20_000), doc(50));
        assertEquals(20_000, big[0].body.identity.remaining());
        assertNull(cache.get("huge", false));
        assertTrue(cache.bytes() <= 10_000);
    }

    @Test
    void aReadThatStartedBeforeAnInvalidationDoesNotPutItsOldBytesBack() {
        PackumentCache cache = new PackumentCache(1 << 20, LONG);
        long before = cache.generation("pkg");
        cache.invalidate("pkg"); // a change committed while the read was under way
        PackumentCache.Entry[] served = cache.put("pkg", before, null, "public", doc(100), doc(50));
        assertNotNull(served[0]); // the reader still answers with what it read
        assertNull(cache.get("pkg", false));
        assertEquals(0, cache.bytes());
        cache.put("pkg", cache.generation("pkg"), null, "public", doc(100), doc(50));
        assertNotNull(cache.get("pkg", true));
        cache.invalidate("pkg");
        assertNull(cache.get("pkg", false));
        assertNull(cache.get("pkg", true));
        assertEquals(0, cache.bytes());
    }

    @Test
    void gzipIsMadeOnTheFirstGzipReadAndDecodesToTheIdentityBytes() throws IOException {
        PackumentCache cache = new PackumentCache(1 << 20, LONG);
        cache.put("pkg", cache.generation("pkg"), "acme", "restricted", doc(5_000), doc(500));
        PackumentCache.Entry e = cache.get("pkg", false);
        assertNull(e.gzip());
        long before = cache.bytes();
        ByteBuffer gz = cache.gzip(e);
        assertEquals(before + gz.remaining(), cache.bytes());
        assertEquals(gz, cache.gzip(e));
        byte[] bytes = new byte[gz.remaining()];
        gz.duplicate().get(bytes);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            assertEquals(doc(5_000), new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals("restricted", e.access);
        assertEquals("acme", e.scope);
        assertTrue(e.body.identity.isDirect());
    }

    @Test
    void offKeepsNothingAndAnOldEntryIsAssembledAgain() {
        PackumentCache off = new PackumentCache(0, LONG);
        off.put("pkg", off.generation("pkg"), null, "public", doc(100), doc(50));
        assertNull(off.get("pkg", false));
        assertEquals(0, off.bytes());
        PackumentCache young = new PackumentCache(1 << 20, Duration.ZERO);
        young.put("pkg", young.generation("pkg"), null, "public", doc(100), doc(50));
        assertNull(young.get("pkg", false));
        assertEquals(2, young.misses() + off.misses());
    }

    @Test
    void anOldEntryAssembledAgainKeepsItsBuffersWhenTheDocumentIsTheSame() {
        PackumentCache cache = new PackumentCache(1 << 20, Duration.ZERO);
        PackumentCache.Entry first = cache.put("pkg", cache.generation("pkg"), null, "public", doc(100), doc(50))[0];
        ByteBuffer gzip = cache.gzip(first);
        long bytes = cache.bytes();
        assertNull(cache.get("pkg", false)); // past its age: a miss, and the reader assembles it again

        PackumentCache.Entry same = cache.put("pkg", cache.generation("pkg"), null, "public", doc(100), doc(50))[0];
        assertNotSame(first, same);
        assertSame(first.body.identity, same.body.identity);
        assertSame(gzip, same.gzip());
        assertEquals(bytes, cache.bytes());

        PackumentCache.Entry changed = cache.put("pkg", cache.generation("pkg"), null, "public", doc(101), doc(50))[0];
        assertNotSame(first.body.identity, changed.body.identity);
        assertNull(changed.gzip());
        assertEquals(101 + 50, cache.bytes());
    }

    @Test
    void gzipBytesMadeThroughAReplacedEntryOnTheSameBodyCountInTheBound() {
        PackumentCache cache = new PackumentCache(1 << 20, Duration.ZERO);
        PackumentCache.Entry reading = cache.put("pkg", cache.generation("pkg"), null, "public", doc(100), doc(50))[0];
        // while that reader is under way, another assembles the unchanged document again: a new entry, the same body
        PackumentCache.Entry again = cache.put("pkg", cache.generation("pkg"), null, "public", doc(100), doc(50))[0];
        assertSame(reading.body, again.body);
        assertEquals(150, cache.bytes());

        ByteBuffer gzip = cache.gzip(reading); // the first reader wanted gzip
        assertEquals(150 + gzip.capacity(), cache.bytes(), "the kept entry holds the gzip bytes: they count");
        cache.invalidate("pkg");
        assertEquals(0, cache.bytes(), "what leaves is what was counted");
        reading.release();
        again.release();
    }

    @Test
    void knowsTheJvmsBoundOnDirectMemoryAndItsBuffersAreDirect() {
        long max = PackumentCache.maxDirectMemory();
        assertTrue(max > 0, "the bound on direct memory is read from the JVM: " + max);
        boolean set = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize="));
        if (!set) {
            assertEquals(
                    Runtime.getRuntime().maxMemory(), max, "when not set, the JVM bounds it by the heap's maximum");
        }
        assertTrue(PackumentCache.direct(new byte[] {1, 2, 3}).isDirect());
    }

    @Test
    void aChangedDocumentsBytesAreFreedWhenItsLastReaderIsDoneNotAtTheNextCollection() {
        org.junit.jupiter.api.Assumptions.assumeTrue(PackumentCache.freesAtOnce(), "this JVM frees at collections");
        PackumentCache cache = new PackumentCache(64 << 20, LONG);
        long before = DirectMemory.used();
        PackumentCache.Entry[] served =
                cache.put("pkg", cache.generation("pkg"), null, "public", doc(4 << 20), doc(1 << 20));
        served[1].release(); // the reader asked for the full form
        PackumentCache.Entry reading = served[0];
        PackumentCache.Entry again = cache.get("pkg", false); // a second reader, from memory
        assertSame(reading.body, again.body);
        assertEquals(3, reading.body.holders()); // the cache and two readers
        assertTrue(DirectMemory.used() - before >= 5 << 20, "both forms are in direct memory");

        cache.invalidate("pkg"); // a publish committed
        assertEquals(2, reading.body.holders());
        assertTrue(DirectMemory.used() - before < 5 << 20, "the abbreviated form, held by nobody, is freed at once");
        again.release();
        assertEquals('{', reading.body.identity.get(0)); // the first reader still writes its bytes
        assertTrue(DirectMemory.used() - before >= 4 << 20);
        reading.release();
        assertEquals(0, reading.body.holders());
        assertTrue(DirectMemory.used() - before < 1 << 20, "freed when the last reader is done, with no collection");
    }

    @Test
    void aReplacedOrEvictedEntryIsFreedButAReusedBodyIsNot() {
        org.junit.jupiter.api.Assumptions.assumeTrue(PackumentCache.freesAtOnce(), "this JVM frees at collections");
        PackumentCache cache = new PackumentCache(3 << 20, Duration.ZERO);
        PackumentCache.Entry first = cache.put("a", cache.generation("a"), null, "public", doc(1 << 20), doc(100))[0];
        cache.gzip(first);
        first.release();
        PackumentCache.Entry same = cache.put("a", cache.generation("a"), null, "public", doc(1 << 20), doc(100))[0];
        assertSame(first.body, same.body); // past its age, the same document: the same bytes, still held by the cache
        same.release();
        assertEquals(1, same.body.holders());
        assertTrue(same.gzip().capacity() > 0);

        long before = DirectMemory.used();
        PackumentCache.Entry changed =
                cache.put("a", cache.generation("a"), null, "public", doc((1 << 20) + 1), doc(100))[0];
        changed.release();
        assertEquals(0, first.body.holders()); // replaced: freed
        assertTrue(DirectMemory.used() - before < 1 << 16, "the replaced body was freed as the new one came in");

        PackumentCache.Entry other = cache.put("b", cache.generation("b"), null, "public", doc(2 << 20), doc(100))[0];
        other.release();
        assertEquals(0, changed.body.holders()); // the least recently used, evicted for room: freed
        assertEquals(1, other.body.holders());
        cache.clear();
        assertEquals(0, other.body.holders());
    }
}
