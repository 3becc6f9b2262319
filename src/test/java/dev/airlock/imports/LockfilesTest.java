package dev.airlock.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads real lockfiles written by npm 11.19.1, pnpm 12 and 8, yarn 4 and 1.22, and bun 1.4 for the project described
 * in src/test/resources/lockfiles/README.md. Integrities are the public registry's {@code dist.integrity}.
 */
class LockfilesTest {
    private static final Path LOCKS = Path.of("src/test/resources/lockfiles");

    private static final String JSONSTREAM =
            "sha512-E+iruNOY8VV9s4JEbe1aNEm6MiszPRr/UfcHMz0TQh1BXSxHK+ASV1R6W4HpjBhSeS+54PIsAMCBmwD06LLsqQ==";
    private static final String STRING_WIDTH =
            "sha512-wKyQRQpjJ0sIp62ErSZdGsjMJWsap5oRNihHhu6G7JVO/9jIB6UyevL+tXuOqrng8j/cxKTWyWUwvSTriiZz/g==";
    private static final String ANSI_REGEX_5 =
            "sha512-quJQXlTSUGL2LH9SUXo8VwsY4soanhgo6LNSm84E1LBcE8s3O0wpdiRzyR9z/ZZJMlMWv37qOOb9pdJlMUEKFQ==";
    private static final String ANSI_REGEX_6 =
            "sha512-n5M855fKb2SsfMIiFFoVrABHJC8QtHwVx+mHWP3QcEqBHYienj5dHSgjbxtC0WEZXYt4wcD6zrQElDPhFuZgfA==";
    private static final String CRC32_LINUX_X64_GNU =
            "sha512-DFd0eV47MAykz4PQDcBSlEvY3CtXqPt2gkBpvPngCpOUoIJgEk9tKtPjEgUwLatMkvsy4fEvAg7gckGickOyEw==";
    private static final String MS_2_0_0 =
            "sha512-Tpp60P6IUJDTuOq/5Z8cdskzJujfwqfOTkrwIwj7IRISpnkJnT6SyJ4PCPnGMoFjC9ddhal5KVIYtAt97ix05A==";

    private static final Set<String> PLATFORMS = Set.of(
            "android-arm-eabi",
            "android-arm64",
            "darwin-arm64",
            "darwin-x64",
            "freebsd-x64",
            "linux-arm-gnueabihf",
            "linux-arm64-gnu",
            "linux-arm64-musl",
            "linux-x64-gnu",
            "linux-x64-musl",
            "win32-arm64-msvc",
            "win32-ia32-msvc",
            "win32-x64-msvc");

    /** Every client's registry packages (tiny-tarball, the remote-URL dependency, is added where it counts). */
    private static final Set<String> BASE = Stream.concat(
                    PLATFORMS.stream().map(p -> "@node-rs/crc32-" + p + "@1.10.8"),
                    Stream.of(
                            "@node-rs/crc32@1.10.8",
                            "JSONStream@1.3.5",
                            "ansi-regex@5.0.1",
                            "ansi-regex@6.0.1",
                            "emoji-regex@8.0.0",
                            "is-fullwidth-code-point@3.0.0",
                            "jsonparse@1.3.1",
                            "ms@2.1.3",
                            "string-width@4.2.3",
                            "strip-ansi@6.0.1",
                            "through@2.3.8"))
            .collect(Collectors.toUnmodifiableSet());

    @TempDir
    Path tmp;

    @Test
    void npmLockfileVersion3() {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("npm-v3/package-lock.json"));
        // npm records the remote-URL dependency exactly like a registry one (its URL is the registry's tarball path).
        assertThat(pins(result)).isEqualTo(plus(BASE, "tiny-tarball@1.0.0"));
        assertRegistryIntegrity(result);
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped local-thing: a local folder (a workspace or a file: dependency), not a registry package",
                        "skipped node_modules/bundler-sample: a local file: dependency (file:bundler-sample-1.0.0.tgz),"
                                + " not a registry package",
                        "skipped node_modules/bundler-sample/node_modules/ms: bundled inside its parent package, so it"
                                + " is not fetched from the registry",
                        "skipped node_modules/local-thing: a link to a local folder (local-thing), not a registry"
                                + " package");
    }

    @Test
    void npmLockfileVersion1() {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("npm-v1/package-lock.json"));
        assertThat(pins(result)).isEqualTo(BASE);
        assertRegistryIntegrity(result);
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped node_modules/bundler-sample: a local file: dependency (file:bundler-sample-1.0.0.tgz),"
                                + " not a registry package",
                        "skipped node_modules/bundler-sample/node_modules/ms: bundled inside its parent package, so it"
                                + " is not fetched from the registry",
                        "skipped node_modules/local-thing: a local file: dependency (file:local-thing), not a registry"
                                + " package",
                        "skipped node_modules/tiny-tarball: a remote tarball"
                                + " (https://registry.npmjs.org/tiny-tarball/-/tiny-tarball-1.0.0.tgz), not a registry"
                                + " package");
    }

    @Test
    void npmGitAndRemoteTarballEntriesAreSkipped() throws IOException {
        // Hand-edited copy: npm writes a git dependency with a git+ssh "resolved" and a version.
        Path lock = edited("npm-v3/package-lock.json", "package-lock.json", "    \"node_modules/through\": {", """
                    "node_modules/is-even": {
                      "version": "1.0.0",
                      "resolved": "git+ssh://git@github.com/jonschlinkert/is-even.git#6f7a5bbd",
                      "license": "MIT"
                    },
                    "node_modules/elsewhere": {
                      "version": "2.0.0",
                      "resolved": "https://example.com/files/elsewhere.tgz"
                    },
                    "node_modules/through": {""");
        Lockfiles.Result result = Lockfiles.read(lock);
        assertThat(pins(result)).isEqualTo(plus(BASE, "tiny-tarball@1.0.0"));
        assertThat(result.skipped())
                .contains(
                        "skipped node_modules/is-even: a git dependency"
                                + " (git+ssh://git@github.com/jonschlinkert/is-even.git#6f7a5bbd), not a registry package",
                        "skipped node_modules/elsewhere: a remote tarball (https://example.com/files/elsewhere.tgz),"
                                + " not a registry package");
    }

    @Test
    void pnpmLockfileVersion9() throws IOException {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("pnpm-v9/pnpm-lock.yaml"));
        assertThat(pins(result)).isEqualTo(plus(BASE, "tiny-tarball@1.0.0"));
        assertRegistryIntegrity(result);
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped bundler-sample@file:bundler-sample-1.0.0.tgz: a local file: dependency"
                                + " (file:bundler-sample-1.0.0.tgz), not a registry package",
                        "skipped local-thing@file:local-thing: a local directory (local-thing), not a registry package");

        Path git = edited("pnpm-v9/pnpm-lock.yaml", "pnpm-lock.yaml", "\n  through@2.3.8:\n", """

                  is-even@https://codeload.github.com/jonschlinkert/is-even/tar.gz/6f7a5bbd:
                    resolution: {tarball: https://codeload.github.com/jonschlinkert/is-even/tar.gz/6f7a5bbd}
                    version: 1.0.0

                  odd@1.0.0:
                    resolution: {type: git, repo: 'git@example.com:odd.git', commit: 0123abc}

                  through@2.3.8:
                """);
        assertThat(Lockfiles.read(git).skipped())
                .contains(
                        "skipped is-even@https://codeload.github.com/jonschlinkert/is-even/tar.gz/6f7a5bbd: a remote"
                                + " tarball (https://codeload.github.com/jonschlinkert/is-even/tar.gz/6f7a5bbd), not a"
                                + " registry package",
                        "skipped odd@1.0.0: a git dependency (git@example.com:odd.git), not a registry package");
    }

    @Test
    void pnpmLockfileVersion6WithAPeerSuffix() {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("pnpm-v6/pnpm-lock.yaml"));
        assertThat(pins(result))
                .isEqualTo(plus(
                        BASE,
                        "tiny-tarball@1.0.0",
                        "react@18.2.0",
                        "react-dom@18.2.0", // keyed /react-dom@18.2.0(react@18.2.0)
                        "loose-envify@1.4.0",
                        "js-tokens@4.0.0",
                        "scheduler@0.23.2"));
        assertRegistryIntegrity(result);
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped file:bundler-sample-1.0.0.tgz: a local file: dependency"
                                + " (file:bundler-sample-1.0.0.tgz), not a registry package",
                        "skipped file:local-thing: a local file: dependency (file:local-thing), not a registry package");
    }

    @Test
    void yarnBerry() throws IOException {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("yarn-berry/yarn.lock"));
        // Berry ignores bundleDependencies, so it fetches ms@2.0.0 from the registry; resolve@1.22.8 was added.
        assertThat(pins(result))
                .isEqualTo(plus(
                        BASE,
                        "ms@2.0.0",
                        "resolve@1.22.8",
                        "is-core-module@2.18.0",
                        "hasown@2.0.4",
                        "function-bind@1.1.2",
                        "path-parse@1.0.7",
                        "supports-preserve-symlinks-flag@1.0.0"));
        // Its checksum is a hash of yarn's own zip archive, never an npm integrity.
        assertThat(result.wanted())
                .allSatisfy(w -> assertThat(w.lockedIntegrity()).isEmpty());
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped bundler-sample@file:./bundler-sample-1.0.0.tgz::locator=lock-sample%40workspace%3A.:"
                                + " a local file: dependency (file:./bundler-sample-1.0.0.tgz#./bundler-sample-1.0.0.tgz"
                                + "::hash=5d414d&locator=lock-sample%40workspace%3A.), not a registry package",
                        "skipped local-thing@file:./local-thing::locator=lock-sample%40workspace%3A.: a local file:"
                                + " dependency (file:./local-thing#./local-thing::hash=e775a1&locator=lock-sample%40"
                                + "workspace%3A.), not a registry package",
                        "skipped lock-sample@workspace:.: a workspace package (workspace:.), not a registry package",
                        "skipped resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>: a yarn patch of"
                                + " resolve@npm:1.22.8; the package it patches is imported from its own entry",
                        "skipped tiny-tarball@https://registry.npmjs.org/tiny-tarball/-/tiny-tarball-1.0.0.tgz: a"
                                + " remote tarball (https://registry.npmjs.org/tiny-tarball/-/tiny-tarball-1.0.0.tgz),"
                                + " not a registry package");

        Path git = edited("yarn-berry/yarn.lock", "yarn.lock", "\"through@npm:>=2.2.7 <3\":", """
                "is-even@https://github.com/jonschlinkert/is-even.git":
                  version: 1.0.0
                  resolution: "is-even@https://github.com/jonschlinkert/is-even.git#commit=6f7a5bbd"
                  languageName: node
                  linkType: hard

                "through@npm:>=2.2.7 <3":""");
        assertThat(Lockfiles.read(git).skipped())
                .contains("skipped is-even@https://github.com/jonschlinkert/is-even.git: a git dependency"
                        + " (https://github.com/jonschlinkert/is-even.git#commit=6f7a5bbd), not a registry package");
    }

    @Test
    void yarnClassic() throws IOException {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("yarn-classic/yarn.lock"));
        // Yarn 1 lists (and fetches) the bundled ms@2.0.0 itself.
        assertThat(pins(result)).isEqualTo(plus(BASE, "ms@2.0.0"));
        assertRegistryIntegrity(result);
        assertThat(integrity(result, "ms", "2.0.0")).isEqualTo(MS_2_0_0);
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped bundler-sample@file:./bundler-sample-1.0.0.tgz: a local file: dependency"
                                + " (file:./bundler-sample-1.0.0.tgz), not a registry package",
                        "skipped local-thing@file:./local-thing: a local file: dependency (file:./local-thing), not a"
                                + " registry package",
                        "skipped tiny-tarball@https://registry.npmjs.org/tiny-tarball/-/tiny-tarball-1.0.0.tgz: a"
                                + " remote tarball (https://registry.npmjs.org/tiny-tarball/-/tiny-tarball-1.0.0.tgz),"
                                + " not a registry package");

        // Older yarn.lock files have no integrity line: the resolved URL's #sha1 is the registry's shasum.
        String text = Files.readString(LOCKS.resolve("yarn-classic/yarn.lock"));
        Path old = write("old/yarn.lock", text.replaceAll("\n  integrity [^\n]+", ""));
        assertThat(integrity(Lockfiles.read(old), "JSONStream", "1.3.5"))
                .isEqualTo("sha1-MgjB8I06TZkmGrZPkjArwV4RHKA=");

        Path git = edited("yarn-classic/yarn.lock", "yarn.lock", "\"through@>=2.2.7 <3\":", """
                "is-even@git+https://github.com/jonschlinkert/is-even.git":
                  version "1.0.0"
                  resolved "git+https://github.com/jonschlinkert/is-even.git#6f7a5bbd"

                "through@>=2.2.7 <3":""");
        assertThat(Lockfiles.read(git).skipped())
                .contains("skipped is-even@git+https://github.com/jonschlinkert/is-even.git: a git dependency"
                        + " (git+https://github.com/jonschlinkert/is-even.git), not a registry package");
    }

    @Test
    void bunTextLockfile() throws IOException {
        Lockfiles.Result result = Lockfiles.read(LOCKS.resolve("bun/bun.lock"));
        assertThat(pins(result)).isEqualTo(BASE);
        assertRegistryIntegrity(result);
        assertThat(result.skipped())
                .containsExactlyInAnyOrder(
                        "skipped bundler-sample: a local file: dependency (./bundler-sample-1.0.0.tgz), not a registry"
                                + " package",
                        "skipped local-thing: a local file: dependency (file:local-thing), not a registry package",
                        "skipped tiny-tarball: a remote tarball"
                                + " (https://registry.npmjs.org/tiny-tarball/-/tiny-tarball-1.0.0.tgz), not a registry"
                                + " package",
                        "skipped bundler-sample/ms: bundled inside its parent package, so it is not fetched from the"
                                + " registry");

        Path git = edited(
                "bun/bun.lock",
                "bun.lock",
                "    \"through\": [",
                "    \"is-even\": [\"is-even@github:jonschlinkert/is-even#6f7a5bbd\", {}, \"jonschlinkert-is-even-6f7a5bbd\"],\n\n"
                        + "    \"through\": [");
        assertThat(Lockfiles.read(git).skipped())
                .contains("skipped is-even: a git dependency (github:jonschlinkert/is-even#6f7a5bbd), not a registry"
                        + " package");
    }

    @Test
    void rangesAreNotTakenForLocationsAndLargeYamlIsRead() throws IOException {
        assertThat(LockEntries.notRegistry("~1.2.3")).isNull();
        assertThat(LockEntries.notRegistry(">=2.2.7 <3")).isNull();
        Path tilde = write(
                "r/yarn.lock",
                Files.readString(LOCKS.resolve("yarn-classic/yarn.lock"))
                        .replace("jsonparse@^1.2.0:", "jsonparse@~1.3.0:"));
        assertThat(pins(Lockfiles.read(tilde))).contains("jsonparse@1.3.1");

        // SnakeYAML's default limit is 3 MB of text; big monorepos have larger pnpm lockfiles.
        StringBuilder filler = new StringBuilder("\npackages:\n");
        for (int i = 0; filler.length() < 4 * 1024 * 1024; i++) {
            filler.append("\n  filler-")
                    .append(i)
                    .append("@1.0.0:\n    resolution: {integrity: ")
                    .append(JSONSTREAM)
                    .append("}\n");
        }
        String big = Files.readString(LOCKS.resolve("pnpm-v9/pnpm-lock.yaml")).replace("\npackages:\n", filler);
        assertThat(pins(Lockfiles.read(write("big/pnpm-lock.yaml", big)))).contains("filler-0@1.0.0");
    }

    @Test
    void aRenamedLockfileIsRecognisedByItsContent() throws IOException {
        Path npm = write("a/lock.json", Files.readString(LOCKS.resolve("npm-v3/package-lock.json")));
        Path bun = write("b/lock.json", Files.readString(LOCKS.resolve("bun/bun.lock")));
        Path berry = write("c/lock.txt", Files.readString(LOCKS.resolve("yarn-berry/yarn.lock")));
        Path pnpm = write("d/lock.yaml", Files.readString(LOCKS.resolve("pnpm-v9/pnpm-lock.yaml")));
        assertThat(pins(Lockfiles.read(npm))).contains("tiny-tarball@1.0.0");
        assertThat(pins(Lockfiles.read(bun))).isEqualTo(BASE);
        assertThat(pins(Lockfiles.read(berry))).contains("resolve@1.22.8");
        assertThat(pins(Lockfiles.read(pnpm))).contains("tiny-tarball@1.0.0");
    }

    @Test
    void malformedAndUnknownFilesAreRefusedWithAReason() throws IOException {
        String lock = Files.readString(LOCKS.resolve("npm-v3/package-lock.json"));
        Path truncated = write("t/package-lock.json", lock.substring(0, lock.length() / 2));
        assertThatThrownBy(() -> Lockfiles.read(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(truncated + " is not valid JSON: ")
                .hasMessageContaining("line ");

        Path unknown = write("u/Gemfile.lock", "GEM\n  remote: https://rubygems.org/\n");
        assertThatThrownBy(() -> Lockfiles.read(unknown))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(unknown + " is not a lockfile Airlock can read: expected package-lock.json,"
                        + " npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml or bun.lock (npm, yarn, pnpm or bun's)");

        Path badName = write("n/package-lock.json", lock.replace("node_modules/through\"", "node_modules/thr ough\""));
        assertThatThrownBy(() -> Lockfiles.read(badName))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(badName + ": entry node_modules/thr ough: Invalid package name");

        Path badVersion = write(
                "v/yarn.lock",
                Files.readString(LOCKS.resolve("yarn-classic/yarn.lock"))
                        .replace("version \"2.3.8\"", "version \"2.3\""));
        assertThatThrownBy(() -> Lockfiles.read(badVersion))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(badVersion + ": entry through@>=2.2.7 <3: Invalid version \"2.3\": versions must be strict"
                        + " semver, e.g. 1.2.3");

        Path garbled = write("g/yarn.lock", "# yarn lockfile v1\n\nms@2.1.3\n  version \"2.1.3\"\n");
        assertThatThrownBy(() -> Lockfiles.read(garbled))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(garbled + " is not a valid lockfile: line 3 is neither an entry header nor an indented"
                        + " field: ms@2.1.3");

        Path lockb = tmp.resolve("bun.lockb");
        Files.write(
                lockb,
                "#!/usr/bin/env bun\nbun-lockfile-format-v0\n\u0002\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Lockfiles.read(lockb))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(lockb + " is bun's binary lockfile, which Airlock cannot read: run"
                        + " `bun install --save-text-lockfile` in that project to get the text lockfile bun.lock, and"
                        + " import that");
    }

    /** What every npm-integrity format must record: the public registry's dist.integrity for these versions. */
    private static void assertRegistryIntegrity(Lockfiles.Result result) {
        assertThat(integrity(result, "JSONStream", "1.3.5")).isEqualTo(JSONSTREAM);
        assertThat(integrity(result, "string-width", "4.2.3")).isEqualTo(STRING_WIDTH); // the alias "str"
        assertThat(integrity(result, "ansi-regex", "5.0.1")).isEqualTo(ANSI_REGEX_5);
        assertThat(integrity(result, "ansi-regex", "6.0.1")).isEqualTo(ANSI_REGEX_6);
        assertThat(integrity(result, "@node-rs/crc32-linux-x64-gnu", "1.10.8")).isEqualTo(CRC32_LINUX_X64_GNU);
        assertThat(result.wanted())
                .extracting(Wanted::name)
                .doesNotContain("str")
                .doesNotHaveDuplicates();
        assertThat(result.wanted())
                .allSatisfy(w -> assertThat(w.lockedIntegrity().keySet()).isEqualTo(w.versions()));
    }

    private static String integrity(Lockfiles.Result result, String name, String version) {
        Map<String, String> byVersion = result.wanted().stream()
                .filter(w -> w.name().equals(name))
                .findFirst()
                .orElseThrow()
                .lockedIntegrity();
        return byVersion.get(version);
    }

    private static Set<String> pins(Lockfiles.Result result) {
        Set<String> pins = new TreeSet<>();
        result.wanted().forEach(w -> w.versions().forEach(v -> pins.add(w.name() + "@" + v)));
        return pins;
    }

    private static Set<String> plus(Set<String> base, String... more) {
        Set<String> all = new TreeSet<>(base);
        all.addAll(Set.of(more));
        return all;
    }

    private Path edited(String source, String name, String before, String replacement) throws IOException {
        String text = Files.readString(LOCKS.resolve(source));
        assertThat(text).contains(before);
        return write("edited-with-git-dependency/" + name, text.replace(before, replacement));
    }

    private Path write(String relative, String text) throws IOException {
        Path file = tmp.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }
}
