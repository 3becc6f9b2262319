package dev.airlock.advisories;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import dev.airlock.shared.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code ./airlock advisories import DIR}: reads every {@code *.json} file under DIR as an OSV advisory (the layout of
 * github.com/github/advisory-database works as it is) and stores the npm ones, replacing a stored advisory with the
 * same id, so importing a newer copy of the database updates it and importing the same one twice changes nothing. A
 * withdrawn advisory is removed; advisories of other ecosystems are skipped. A file that cannot be read as an advisory
 * does not stop the others: it is listed in the summary (and the command exits 1).
 */
public final class AdvisoryImport {
    private static final int BATCH = 500;

    /** What an import did; {@code malformed} lists "file: why" for each file that is not a readable advisory. */
    public record Summary(
            Path dir, int imported, int packages, int removed, Map<String, Integer> skipped, List<String> malformed) {
        /** "Imported N advisories for M packages from DIR (S skipped: …)". */
        public String describe() {
            int s = skipped.values().stream().mapToInt(Integer::intValue).sum();
            StringBuilder b = new StringBuilder("Imported ")
                    .append(imported)
                    .append(imported == 1 ? " advisory" : " advisories")
                    .append(" for ")
                    .append(packages)
                    .append(packages == 1 ? " package" : " packages")
                    .append(" from ")
                    .append(dir);
            if (s > 0) {
                List<String> reasons = new ArrayList<>();
                skipped.forEach((why, n) -> reasons.add(n + " " + why));
                b.append(" (")
                        .append(s)
                        .append(" skipped: ")
                        .append(String.join(", ", reasons))
                        .append(')');
            }
            if (removed > 0) {
                b.append("; removed ").append(removed).append(" withdrawn");
            }
            return b.toString();
        }
    }

    private final Database db;
    private final AdvisoryStore store;
    private final AuditService audit;
    private final Clock clock;

    AdvisoryImport(Database db, AdvisoryStore store, AuditService audit, Clock clock) {
        this.db = db;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    Summary importDirectory(Actor actor, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new AirlockException(ErrorCode.BAD_REQUEST, dir + " is not a directory of OSV advisory files");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(".json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
        Map<String, Integer> skipped = new TreeMap<>();
        List<String> malformed = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Osv.Converted> batch = new ArrayList<>();
        int[] counts = new int[2]; // imported, removed
        for (Path file : files) {
            Osv.Converted c;
            try {
                c = Osv.convert(read(file));
            } catch (Osv.Malformed e) {
                malformed.add(dir.relativize(file) + ": " + e.getMessage());
                continue;
            }
            if (c.advisory() == null) {
                skipped.merge(c.skipped(), 1, Integer::sum);
                if (!c.skipped().equals("withdrawn")) {
                    continue;
                }
            } else {
                names.addAll(c.advisory().ranges().keySet());
            }
            batch.add(c);
            if (batch.size() == BATCH) {
                store(batch, counts);
            }
        }
        store(batch, counts);
        Summary summary = new Summary(dir, counts[0], names.size(), counts[1], skipped, malformed);
        db.write(tx -> {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("dir", dir.toAbsolutePath().toString());
            detail.put("imported", summary.imported());
            detail.put("packages", summary.packages());
            detail.put("removed", summary.removed());
            detail.put("skipped", summary.skipped());
            detail.put("malformed", summary.malformed().size());
            audit.record(tx, actor, "advisories.import", "advisories", detail);
            return null;
        });
        return summary;
    }

    private void store(List<Osv.Converted> batch, int[] counts) {
        if (batch.isEmpty()) {
            return;
        }
        long now = clock.millis();
        db.write(tx -> {
            for (Osv.Converted c : batch) {
                if (c.advisory() != null) {
                    store.put(tx, c.advisory(), now);
                    counts[0]++;
                } else if (store.delete(tx, c.id())) {
                    counts[1]++;
                }
            }
            return null;
        });
        batch.clear();
    }

    private static JsonNode read(Path file) {
        try {
            return Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new Osv.Malformed(
                    "not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
