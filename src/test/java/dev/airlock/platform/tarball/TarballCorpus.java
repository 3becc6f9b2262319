package dev.airlock.platform.tarball;

import static dev.airlock.testing.TarBytes.cat;
import static dev.airlock.testing.TarBytes.dir;
import static dev.airlock.testing.TarBytes.end;
import static dev.airlock.testing.TarBytes.entry;
import static dev.airlock.testing.TarBytes.file;
import static dev.airlock.testing.TarBytes.gnuLong;
import static dev.airlock.testing.TarBytes.gzipMembers;
import static dev.airlock.testing.TarBytes.header;
import static dev.airlock.testing.TarBytes.pax;
import static dev.airlock.testing.TarBytes.put;

import dev.airlock.testing.TarBytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Edge-case tarballs, each with the verdict Airlock's reader is expected to reach (the tests check npm agrees). */
final class TarballCorpus {
    static final String PJ = "{\"name\":\"corpus\",\"version\":\"1.0.0\"}";

    /** One tarball; {@code accepted}: whether Airlock publishes it. */
    record Case(String name, byte[] tgz, boolean accepted) {
        @Override
        public String toString() {
            return name;
        }
    }

    private TarballCorpus() {}

    static byte[] pj() {
        return file("package/package.json", PJ);
    }

    static byte[] gz(byte[]... entries) {
        return gzipMembers(cat(cat(entries), end()));
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        byte[] big = new byte[300_000];
        new Random(10).nextBytes(big);
        byte[] bigTar = cat(pj(), file("package/big.bin", big), end());

        c.add(new Case("plain", gz(pj(), file("package/index.js", "module.exports = 1\n")), true));
        c.add(new Case("two gzip members (issue 10)", TarBytes.twoMembers(PJ, "require('child_process')\n"), true));
        c.add(new Case(
                "three gzip members split inside a file",
                gzipMembers(
                        Arrays.copyOfRange(bigTar, 0, 1000),
                        Arrays.copyOfRange(bigTar, 1000, 150_001),
                        Arrays.copyOfRange(bigTar, 150_001, bigTar.length)),
                true));
        c.add(new Case(
                "empty gzip member in the middle",
                gzipMembers(pj(), new byte[0], cat(file("package/b.js", "b"), end())),
                true));
        c.add(new Case("zeros after the end blocks", gzipMembers(cat(pj(), end(), new byte[10_240])), true));
        c.add(new Case("no end-of-archive blocks", gzipMembers(pj()), true));
        c.add(new Case(
                "an entry after the end blocks",
                gzipMembers(cat(pj(), end(), file("package/hidden.js", "x"), end())),
                false));
        c.add(new Case(
                "an entry after a single zero block",
                gzipMembers(cat(pj(), new byte[512], file("package/hidden.js", "x"), end())),
                false));
        // Node's zlib reads what follows a member as another member, unless it starts with a zero byte (old npm padded
        // tarballs with zeros): then it ignores the rest
        c.add(new Case(
                "garbage after the gzip stream", cat(gz(pj()), "garbage".getBytes(StandardCharsets.US_ASCII)), false));
        c.add(new Case(
                "zeros then garbage after the gzip stream",
                cat(gz(pj()), new byte[16], "garbage".getBytes(StandardCharsets.US_ASCII)),
                true));
        c.add(new Case("zeros after the gzip stream", cat(gz(pj()), new byte[9900]), true));
        c.add(new Case("a broken gzip header after the stream", cat(gz(pj()), new byte[] {0x1f, 0, 1, 2}), false));
        c.add(new Case(
                "a gzip member of another method after the stream",
                cat(gz(pj()), new byte[] {0x1f, (byte) 0x8b, 1, 0, 0, 0, 0, 0, 0, 3}),
                false));
        c.add(new Case("not gzipped", cat(pj(), end()), false));
        String longPath = "package/" + "d".repeat(90) + "/" + "f".repeat(120) + ".js";
        c.add(new Case(
                "PAX long path",
                gz(
                        pj(),
                        pax('x', Map.of("path", longPath)),
                        entry(header("package/short.js", '0', 3, null), bytes("abc"))),
                true));
        c.add(new Case(
                "GNU long name",
                gz(pj(), gnuLong('L', longPath), entry(header("package/short.js", '0', 3, null), bytes("abc"))),
                true));
        c.add(new Case(
                "PAX path overrides the header name",
                gz(
                        pj(),
                        pax('x', Map.of("path", "package/real.js")),
                        entry(header("package/decoy.js", '0', 4, null), bytes("real"))),
                true));
        c.add(new Case(
                "PAX path with a ustar prefix in the header",
                gz(
                        pj(),
                        pax('x', Map.of("path", "package/lib/p.js")),
                        entry(header("p.js", '0', 1, h -> put(h, 345, 155, "package/lib")), bytes("p"))),
                true));
        c.add(new Case(
                "ustar prefix",
                gz(pj(), entry(header("q.js", '0', 1, h -> put(h, 345, 155, "package/lib")), bytes("q"))),
                true));
        c.add(new Case(
                "PAX size overrides the header size",
                gz(
                        pj(),
                        pax('x', Map.of("size", "5")),
                        entry(header("package/five.txt", '0', 0, null), bytes("12345"))),
                true));
        c.add(new Case(
                "base-256 size",
                gz(
                        pj(),
                        entry(
                                header("package/b256.txt", '0', 0, h -> {
                                    Arrays.fill(h, 124, 136, (byte) 0);
                                    h[124] = (byte) 0x80;
                                    h[135] = 6;
                                }),
                                bytes("sixsix"))),
                true));
        c.add(new Case(
                "PAX size in a global header",
                gz(pj(), pax('g', Map.of("size", "0")), file("package/a.js", "aaaa")),
                false));
        c.add(new Case("PAX global comment (git archive)", gz(pax('g', Map.of("comment", "0123abcd")), pj()), true));
        c.add(new Case(
                "PAX type record",
                gz(pj(), pax('x', Map.of("type", "SymbolicLink")), file("package/t.js", "t")),
                false));
        c.add(new Case(
                "non-ASCII name in PAX",
                gz(
                        pj(),
                        pax('x', Map.of("path", "package/café-\u00e9.js")),
                        entry(header("package/cafe.js", '0', 2, null), bytes("ok"))),
                true));
        c.add(new Case(
                "duplicate paths", gz(pj(), file("package/a.js", "first"), file("package/a.js", "second")), false));
        c.add(new Case(
                "root folder node-foo/",
                gzipMembers(cat(
                        dir("node-foo/"), file("node-foo/package.json", PJ), file("node-foo/lib/x.js", "x"), end())),
                true));
        c.add(new Case(
                "root folder ./",
                gzipMembers(cat(dir("./"), file("./package.json", PJ), file("./x.js", "x"), end())),
                true));
        c.add(new Case("./package/ prefix", gzipMembers(cat(file("./package/package.json", PJ), end())), false));
        c.add(new Case("two root folders", gz(pj(), file("other/x.js", "x")), false));
        c.add(new Case(
                "top-level file without a directory", gzipMembers(cat(pj(), file("evil.js", "x"), end())), false));
        c.add(new Case(
                "hard link",
                gz(pj(), header("package/h.js", '1', 0, h -> put(h, 157, 100, "package/package.json"))),
                false));
        c.add(new Case(
                "symlink", gz(pj(), header("package/s.js", '2', 0, h -> put(h, 157, 100, "/etc/passwd"))), false));
        c.add(new Case(
                "file with a link target",
                gz(pj(), entry(header("package/l.js", '0', 1, h -> put(h, 157, 100, "x")), bytes("l"))),
                false));
        c.add(new Case("character device", gz(pj(), header("package/tty", '3', 0, null)), false));
        c.add(new Case(
                "contiguous file (type 7)", gz(pj(), entry(header("package/c.js", '7', 1, null), bytes("c"))), false));
        c.add(new Case("zero-size file", gz(pj(), file("package/empty.js", "")), true));
        c.add(new Case(
                "names differing only in case",
                gz(pj(), file("package/README.md", "a"), file("package/readme.md", "b")),
                false));
        c.add(new Case(
                "NFC and NFD forms of one name",
                gz(pj(), file("package/\u00e9.js", "a"), file("package/e\u0301.js", "b")),
                false));
        c.add(new Case(
                "a file and a directory of one name",
                gz(pj(), file("package/a", "a"), file("package/a/b.js", "b")),
                false));
        c.add(new Case(
                "files in directories without entries",
                gz(pj(), file("package/deep/er/x.js", "x"), file("package/deep/y.js", "y")),
                true));
        c.add(new Case(
                "directory entries",
                gz(dir("package/"), pj(), dir("package/lib/"), file("package/lib/x.js", "x")),
                true));
        c.add(new Case(
                "directory with data",
                gz(
                        pj(),
                        entry(
                                header("package/d/", '5', 600, null),
                                cat(file("package/in.js", "hidden"), new byte[88]))),
                false));
        c.add(new Case("file named with a trailing slash", gz(pj(), header("package/slash/", '0', 0, null)), true));
        c.add(new Case("bad header checksum", gz(pj(), checksumBroken(file("package/x.js", "x"))), false));
        c.add(new Case(
                "name with data after its NUL",
                gz(pj(), entry(header("package/n.js", '0', 1, h -> put(h, 50, 8, "\nhidden")), bytes("n"))),
                false));
        c.add(new Case(
                "name that is not UTF-8",
                gz(pj(), entry(header("package/x.js", '0', 1, h -> h[9] = (byte) 0xff), bytes("x"))),
                false));
        c.add(new Case("drive letter inside the package", gz(pj(), file("package/c:evil.js", "x")), false));
        c.add(new Case("dot-dot segment", gz(pj(), file("package/../evil.js", "x")), false));
        c.add(new Case(
                ".gitignore is installed as .npmignore", gz(pj(), file("package/.gitignore", "node_modules\n")), true));
        c.add(new Case(
                ".npmignore then .gitignore",
                gz(pj(), file("package/.npmignore", "a"), file("package/.gitignore", "b")),
                true));
        c.add(new Case(
                ".gitignore then .npmignore",
                gz(pj(), file("package/.gitignore", "a"), file("package/.npmignore", "b")),
                false));
        c.add(new Case("truncated inside a file", gzipMembers(Arrays.copyOf(bigTar, 100_000)), false));
        c.add(new Case(
                "decompression ratio over 1000", gz(pj(), file("package/zeros.bin", new byte[24 << 20])), false));
        return c;
    }

    static byte[] checksumBroken(byte[] entry) {
        byte[] e = entry.clone();
        e[150] = (byte) (e[150] == '1' ? '2' : '1');
        return e;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
