package dev.airlock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's package) as the load balancer in front of several Airlock nodes: round robin over their
 * ports, the client's address in {@code X-Forwarded-For}, no body size limit of its own, and a request that cannot
 * reach a node (connection refused or reset before an answer: the node is stopping or dead) goes to the next one.
 * Its configuration, pid, logs and temp files all live in its own directory; it runs in the foreground as a child of
 * the test JVM. Every response carries {@code X-Upstream}, the node that answered, so tests can see the rotation.
 */
public final class Nginx implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private Nginx(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts nginx on a free loopback port, balancing over the given node ports. */
    public static Nginx start(Path dir, List<Integer> upstreams) {
        try {
            Files.createDirectories(dir.resolve("logs"));
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Files.writeString(dir.resolve("nginx.conf"), config(dir, port, upstreams));
            Process p = new ProcessBuilder(
                            "nginx",
                            "-p",
                            dir.toString(),
                            "-c",
                            dir.resolve("nginx.conf").toString(),
                            "-g",
                            "daemon off;")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("logs/stdout.log").toFile())
                    .start();
            Nginx nginx = new Nginx(dir, port, p);
            nginx.awaitListening();
            return nginx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String config(Path dir, int port, List<Integer> upstreams) {
        StringBuilder servers = new StringBuilder();
        for (int p : upstreams) {
            // a node that refused a connection is skipped for a second, then tried again (passive health)
            servers.append("        server 127.0.0.1:").append(p).append(" max_fails=1 fail_timeout=1s;\n");
        }
        // as root (CI) the workers would switch to "nobody", which cannot use this directory: keep them as root
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        return user + "worker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\n"
                + "error_log " + dir.resolve("logs/error.log") + " warn;\n"
                + "events { worker_connections 1024; }\n"
                + "http {\n"
                + "    access_log " + dir.resolve("logs/access.log") + ";\n"
                + "    client_body_temp_path " + dir.resolve("client_body") + ";\n"
                + "    proxy_temp_path " + dir.resolve("proxy") + ";\n"
                + "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";\n"
                + "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";\n"
                + "    scgi_temp_path " + dir.resolve("scgi") + ";\n"
                + "    upstream airlock {\n"
                + servers
                + "    }\n"
                + "    server {\n"
                + "        listen 127.0.0.1:" + port + ";\n"
                + "        client_max_body_size 0;\n"
                + "        location / {\n"
                + "            proxy_pass http://airlock;\n"
                + "            proxy_set_header Host $http_host;\n"
                + "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                + "            proxy_set_header X-Forwarded-Proto $scheme;\n"
                // a node that is stopping or gone: try the other one (nginx never resends a POST or PUT once any
                // of it reached a node, so a publish is never sent twice)
                + "            proxy_next_upstream error timeout http_502 http_503;\n"
                + "            proxy_next_upstream_tries 0;\n"
                + "            proxy_connect_timeout 2s;\n"
                + "            proxy_read_timeout 300s;\n"
                + "            proxy_send_timeout 300s;\n"
                + "            add_header X-Upstream $upstream_addr always;\n"
                + "        }\n"
                + "    }\n"
                + "}\n";
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited: " + log("logs/stdout.log") + log("logs/error.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1000);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port + ": " + log("logs/error.log"));
    }

    /** The balancer's URL with a trailing slash, as npm wants it. */
    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    public int port() {
        return port;
    }

    /** A log file of this nginx (for failure messages). */
    public String log(String name) {
        try {
            Path f = dir.resolve(name);
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
