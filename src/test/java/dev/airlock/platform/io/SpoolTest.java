package dev.airlock.platform.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static Spool write(Path dir, int threshold, byte[] content, int chunk) throws IOException {
        Spool.Writer w = new Spool.Writer(dir, threshold);
        for (int off = 0; off < content.length; off += chunk) {
            w.write(content, off, Math.min(chunk, content.length - off));
        }
        return w.finish();
    }

    @Test
    void upToTheThresholdTheBytesStayInMemory() throws IOException {
        byte[] content = random(1000);
        try (Spool s = write(dir, 1000, content, 7)) {
            assertThat(s.inMemory()).isTrue();
            assertThat(s.size()).isEqualTo(1000);
            assertThat(s.bytes()).isEqualTo(content);
            assertThat(s.open().readAllBytes()).isEqualTo(content);
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void pastTheThresholdTheyGoToAFileThatHasNoName() throws IOException {
        byte[] content = random(300_000);
        Spool s = write(dir, 1000, content, 4096);
        assertThat(s.inMemory()).isFalse();
        assertThat(s.size()).isEqualTo(content.length);
        assertThat(dir).isEmptyDirectory(); // unlinked at once: nothing to clean up after a crash
        assertThatThrownBy(s::bytes).isInstanceOf(IllegalStateException.class);
        // streams read independently of each other, from the start
        try (InputStream a = s.open();
                InputStream b = s.open()) {
            byte[] first = a.readNBytes(5000);
            assertThat(b.readAllBytes()).isEqualTo(content);
            assertThat(first).isEqualTo(java.util.Arrays.copyOf(content, 5000));
            assertThat(a.skip(1000)).isEqualTo(1000);
            assertThat(a.read()).isEqualTo(content[6000] & 0xff);
            assertThat(a.readAllBytes()).hasSize(content.length - 6001);
            assertThat(a.read()).isEqualTo(-1);
        }
        s.close();
        assertThatThrownBy(() -> s.open().read()).isInstanceOf(IOException.class);
    }

    @Test
    void aWriterClosedBeforeItFinishedLeavesNothing() throws IOException {
        Spool.Writer w = new Spool.Writer(dir, 10);
        w.write(random(100), 0, 100);
        w.close();
        assertThat(dir).isEmptyDirectory();
        assertThat(Spool.of(new byte[] {1, 2}).open().readAllBytes()).containsExactly(1, 2);
    }
}
