package dev.airlock.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Corpus;
import dev.airlock.testing.RegistryMirror;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-world corpus (see {@link Corpus}): the complete dependency trees of several well-known projects, with the
 * exact tarballs the public registry serves (cached outside the repository by {@link RegistryMirror}).
 */
class RealWorldCorpusIT {
    static RegistryMirror mirror;
    static Map<String, Corpus.Version> all;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void fillCache() throws InterruptedException {
        mirror = RegistryMirror.start();
        all = Corpus.all();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> fetched = new ArrayList<>();
            for (Corpus.Version v : all.values()) {
                fetched.add(pool.submit(() -> mirror.tarball(v.name(), v.version())));
            }
            List<String> failed = new ArrayList<>();
            for (Future<Path> f : fetched) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failed.add(String.valueOf(e.getCause().getMessage()));
                }
            }
            assertThat(failed).as("corpus versions that could not be cached").isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @AfterAll
    static void stop() {
        if (mirror != null) {
            mirror.close();
        }
    }

    @Test
    void theCorpusHoldsEveryUnusualKind() {
        assertThat(all).as("distinct name@version in the corpus").hasSizeGreaterThanOrEqualTo(800);
        Map<String, List<String>> kinds = Corpus.kinds(mirror, all.values());
        kinds.forEach(
                (kind, examples) -> System.out.printf("corpus kind %s: %d %s%n", kind, examples.size(), examples));
        kinds.forEach((kind, examples) -> assertThat(examples).as(kind).isNotEmpty());
    }
}
