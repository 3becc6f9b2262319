package dev.airlock.platform.tarball;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.testing.TarBytes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fast checks of the reader's contract; agreement with npm itself is TarballReaderDifferentialIT's job. */
class TarballReaderTest {
    static final TarballReader.Limits LIMITS = new TarballReader.Limits(1 << 24, 1000);

    @Test
    void everyGzipMemberIsRead() {
        Map<String, TarballReader.FileHead> files =
                TarballReader.heads(new ByteArrayInputStream(TarBytes.twoMembers("{}", "evil()")), LIMITS, 3);
        assertThat(files).containsOnlyKeys("package.json", "install.js");
        assertThat(files.get("install.js").size()).isEqualTo(6);
        assertThat(new String(files.get("install.js").head(), StandardCharsets.UTF_8))
                .isEqualTo("evi");
    }

    @Test
    void aDirectoryWithDataIsRefusedBecauseNodeTarReadsItsDataAsEntries() {
        byte[] hidden = TarBytes.file("package/in.js", "hidden");
        byte[] tgz = TarballCorpus.gz(
                TarballCorpus.pj(), TarBytes.entry(TarBytes.header("package/d/", '5', hidden.length, null), hidden));
        assertThatThrownBy(() -> TarballReader.read(new ByteArrayInputStream(tgz), LIMITS, (p, s, c) -> {}))
                .isInstanceOf(TarballRefusedException.class)
                .hasMessageContaining("directory with data");
    }

    @Test
    void limitsAreEnforced() {
        byte[] tgz = TarballCorpus.gz(TarballCorpus.pj(), TarBytes.file("package/big.bin", new byte[4096]));
        assertThatThrownBy(() -> TarballReader.read(
                        new ByteArrayInputStream(tgz), new TarballReader.Limits(4096, 10), (p, s, c) -> {}))
                .isInstanceOf(TarballRefusedException.class)
                .hasMessageContaining("unpacks to more than 4096");
        assertThatThrownBy(() -> TarballReader.read(
                        new ByteArrayInputStream(tgz), new TarballReader.Limits(1 << 20, 1), (p, s, c) -> {}))
                .isInstanceOf(TarballRefusedException.class)
                .hasMessageContaining("more than 1 entries");
    }
}
