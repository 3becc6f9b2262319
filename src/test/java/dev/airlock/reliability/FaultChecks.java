package dev.airlock.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** The end-of-scenario checks on a stopped server's data directory (SQLite and the filesystem blob store). */
final class FaultChecks {
    private FaultChecks() {}

    /**
     * The orphan sweep with no grace (safe: nothing writes), then: no blob without a version, no unfinished write, no
     * spooled body left, SQLite's integrity check passes, and the audit log verifies. Returns the failures.
     */
    static List<String> afterStop(FaultServer server, PrintStream out) {
        List<String> failures = new ArrayList<>();
        Path blobs = server.data.resolve("blobs");
        int orphansBefore = orphans(server.data).size();
        int partsBefore = files(blobs.resolve("tmp")).size();
        FaultServer.Cli sweep = server.cli("", "blobs", "sweep", "--grace", "PT0S");
        if (!sweep.ok()) {
            failures.add("./airlock blobs sweep failed: " + sweep.output());
        }
        Set<String> orphans = orphans(server.data);
        List<Path> parts = files(blobs.resolve("tmp"));
        List<Path> spooled = files(server.data.resolve("tmp"));
        out.printf(
                "  orphans: %d blob(s) and %d unfinished write(s) before the sweep, %d and %d after; %d spooled"
                        + " bodies left%n",
                orphansBefore, partsBefore, orphans.size(), parts.size(), spooled.size());
        if (!orphans.isEmpty()) {
            failures.add(orphans.size() + " orphaned blob(s) after the sweep");
        }
        if (!parts.isEmpty()) {
            failures.add(parts.size() + " unfinished blob write(s) after the sweep: " + parts);
        }
        if (!spooled.isEmpty()) {
            failures.add("spooled request bodies left in " + server.data.resolve("tmp") + ": " + spooled);
        }
        String integrity = sqlite(server.data, "PRAGMA integrity_check").toString();
        out.println("  SQLite integrity_check: " + integrity);
        if (!integrity.equals("[ok]")) {
            failures.add("SQLite integrity_check: " + integrity);
        }
        FaultServer.Cli audit = server.cli("", "audit", "verify");
        out.println("  audit verify: exit " + audit.exit() + ", "
                + audit.output().strip().lines().reduce((a, b) -> b).orElse(""));
        if (!audit.ok()) {
            failures.add("./airlock audit verify: " + audit.output());
        }
        return failures;
    }

    /** Blob keys on disk that no version row refers to. */
    static Set<String> orphans(Path data) {
        return orphans(data, new HashSet<>(sqlite(data, REFERENCED)));
    }

    static final String REFERENCED = "SELECT DISTINCT tarball_blob FROM versions WHERE tarball_blob IS NOT NULL";

    /** Blob keys on disk not in {@code referenced}. */
    static Set<String> orphans(Path data, Set<String> referenced) {
        Set<String> orphans = new HashSet<>();
        try (Stream<Path> files = Files.walk(data.resolve("blobs"))) {
            files.filter(Files::isRegularFile)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9a-f]{128}"))
                    .filter(n -> !referenced.contains(n))
                    .forEach(orphans::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return orphans;
    }

    static List<String> sqlite(Path data, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("airlock.db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
