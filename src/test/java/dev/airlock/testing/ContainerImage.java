package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.platform.json.Json;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A container image in a docker-archive tar (what {@code docker save} and Jib's {@code buildTar} write), run without
 * a container runtime: its layers unpacked in order into one root directory (whiteouts honoured), and its entry point
 * started the way a runtime would from the image's config (Entrypoint, Cmd, Env, WorkingDir, User), inside that root
 * with {@code unshare} (own mount and PID namespaces, {@code /proc} and {@code /dev} mounted, chroot, the image's
 * user). Shares the host's network, as {@code docker run --network host} does. Needs root.
 */
public final class ContainerImage {
    public final Path root;
    /** The image config's {@code config} object (Entrypoint, Cmd, Env, WorkingDir, User, Volumes, ExposedPorts). */
    public final JsonNode config;
    /** The number of layers unpacked. */
    public final int layers;

    private ContainerImage(Path root, JsonNode config, int layers) {
        this.root = root;
        this.config = config;
        this.layers = layers;
    }

    /** Unpacks {@code imageTar} into {@code root} (created; must not exist yet). */
    public static ContainerImage unpack(Path imageTar, Path root) {
        try {
            Path archive = Files.createTempDirectory(root.getParent(), "image-archive");
            extractFlat(imageTar, archive);
            JsonNode manifest =
                    Json.MAPPER.readTree(archive.resolve("manifest.json").toFile());
            JsonNode image = manifest.get(0);
            JsonNode config = Json.MAPPER.readTree(
                    archive.resolve(image.path("Config").asText()).toFile());
            Files.createDirectories(root);
            int n = 0;
            for (JsonNode layer : image.path("Layers")) {
                applyLayer(archive.resolve(layer.asText()), root);
                n++;
            }
            Files2.deleteTree(archive);
            return new ContainerImage(root, config.path("config"), n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The outer tar's members, by name, into dir (an image archive holds only regular files at shallow paths). */
    private static void extractFlat(Path tar, Path dir) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tar)))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = inside(dir, e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * One layer over what is below it: first its whiteouts ({@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties
     * its directory) remove lower files, then GNU tar extracts the rest with owners, modes, links and device files.
     */
    private static void applyLayer(Path layer, Path root) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(open(layer))) {
            for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                String name = e.getName().replaceFirst("/$", "");
                String base = name.substring(name.lastIndexOf('/') + 1);
                if (!base.startsWith(".wh.")) {
                    continue;
                }
                Path dir = inside(root, name).getParent();
                if (base.equals(".wh..wh..opq")) {
                    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        try (var children = Files.list(dir)) {
                            for (Path child : children.toList()) {
                                Files2.deleteTree(child);
                            }
                        }
                    }
                } else {
                    Path gone = dir.resolve(base.substring(".wh.".length()));
                    if (Files.exists(gone, LinkOption.NOFOLLOW_LINKS)) {
                        Files2.deleteTree(gone);
                    }
                }
            }
        }
        run(List.of(
                "tar",
                "--extract",
                "--file=" + layer,
                "--directory=" + root,
                "--numeric-owner",
                "--same-owner",
                "--same-permissions",
                "--exclude=.wh.*"));
    }

    private static InputStream open(Path layer) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(layer));
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static Path inside(Path root, String name) {
        Path p = root.resolve(name).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalStateException("an image entry escapes its root: " + name);
        }
        return p;
    }

    public List<String> entrypoint() {
        return strings(config.path("Entrypoint"));
    }

    public List<String> cmd() {
        return strings(config.path("Cmd"));
    }

    /** The image's environment, in order (NAME → value). */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String kv : strings(config.path("Env"))) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return env;
    }

    /** {@code uid:gid} of the image's User (a name is looked up in the image's /etc/passwd); {@code 0:0} if none. */
    public String user() {
        String user = config.path("User").asText("");
        if (user.isEmpty()) {
            return "0:0";
        }
        String[] parts = user.split(":", 2);
        String uid = parts[0];
        String gid = parts.length > 1 ? parts[1] : null;
        for (String line : Files2.read(root.resolve("etc/passwd")).split("\n")) {
            String[] f = line.split(":");
            if (f.length > 3 && (f[0].equals(uid) || f[2].equals(uid))) {
                return f[2] + ":" + (gid != null ? gid : f[3]);
            }
        }
        if (!uid.matches("\\d+")) {
            throw new IllegalStateException("the image's user " + user + " is not in its /etc/passwd");
        }
        return uid + ":" + (gid != null ? gid : uid);
    }

    /**
     * Starts what a runtime starts for {@code docker run [-e K=V…] IMAGE [ARGS…]} (see {@link #command}); the process
     * returned is the outer {@code unshare}. Stop it with {@link #stop} or {@link #kill}, not {@code destroy}: the
     * outer {@code unshare} ignores SIGTERM, and its death does not reach the image's process (which changed user).
     * Whatever is still running when the JVM exits is killed.
     */
    public Process start(ProcessBuilder pb) throws IOException {
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> kill(p)));
        return p;
    }

    /** {@code docker stop}: SIGTERM to the container's first process; whether everything ended within the time. */
    public static boolean stop(Process container, long seconds) throws InterruptedException {
        container.children().forEach(ProcessHandle::destroy);
        return container.waitFor(seconds, TimeUnit.SECONDS);
    }

    /** {@code docker kill}: SIGKILL to the container's first process, which ends its PID namespace, and to unshare. */
    public static void kill(Process container) {
        container.children().forEach(ProcessHandle::destroyForcibly);
        container.destroyForcibly();
        try {
            container.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The process a runtime starts for {@code docker run [-e K=V…] IMAGE [ARGS…]}: the entry point with ARGS (the
     * image's Cmd when there are none), the image's environment with {@code env} over it, in its WorkingDir, as its
     * User; start it with {@link #start}.
     */
    public ProcessBuilder command(List<String> args, Map<String, String> env) {
        List<String> program = new ArrayList<>(entrypoint());
        program.addAll(args.isEmpty() ? cmd() : args);
        String[] user = user().split(":");
        String wd = config.path("WorkingDir").asText("");
        List<String> cmd = new ArrayList<>(List.of(
                "/usr/bin/unshare",
                "--mount",
                "--pid",
                "--fork",
                "--kill-child=SIGTERM",
                "--",
                "/bin/sh",
                "-c",
                """
                set -e; r=$1; wd=$2; u=$3; g=$4; shift 4
                /usr/bin/mount -t proc proc "$r/proc"
                /usr/bin/mount --rbind /dev "$r/dev"
                exec /usr/bin/unshare --root="$r" --wd="$wd" --setgid="$g" --setuid="$u" -- "$@"
                """,
                "container",
                root.toString(),
                wd.isEmpty() ? "/" : wd,
                user[0],
                user[1]));
        cmd.addAll(program);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("HOME", home(user[0]));
        pb.environment().putAll(env());
        pb.environment().putAll(env);
        return pb;
    }

    private String home(String uid) {
        for (String line : Files2.read(root.resolve("etc/passwd")).split("\n")) {
            String[] f = line.split(":");
            if (f.length > 5 && f[2].equals(uid)) {
                return f[5];
            }
        }
        return "/";
    }

    /** The numeric owner ({@code uid:gid}) of a path inside the image. */
    public String owner(String path) {
        try {
            Path p = root.resolve(path.replaceFirst("^/", ""));
            return Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                    + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
