package dev.airlock.advisories;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The SQL of the local advisory store, one statement per {@link AdvisoryStore} method. */
final class JdbiAdvisoryStore implements AdvisoryStore {
    private static final int CHUNK = 500; // names per query, well under SQLite's limit on bound parameters
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    @Override
    public void put(Tx tx, Advisory a, long importedAt) {
        delete(tx, a.id());
        tx.handle()
                .createUpdate("INSERT INTO advisories (id, number, title, url, severity, cwe, cvss_score, cvss_vector,"
                        + " aliases, published, modified, imported_at) VALUES (:id, :number, :title, :url, :severity,"
                        + " :cwe, :score, :vector, :aliases, :published, :modified, :at)")
                .bind("id", a.id())
                .bind("number", a.number())
                .bind("title", a.title())
                .bind("url", a.url())
                .bind("severity", a.severity())
                .bind("cwe", Json.write(a.cwe()))
                .bind("score", a.cvssScore())
                .bind("vector", a.cvssVector())
                .bind("aliases", Json.write(a.aliases()))
                .bind("published", a.published())
                .bind("modified", a.modified())
                .bind("at", importedAt)
                .execute();
        PreparedBatch batch = tx.handle()
                .prepareBatch("INSERT INTO advisory_packages (advisory_id, name, vulnerable_versions)"
                        + " VALUES (:id, :name, :range)");
        a.ranges()
                .forEach((name, range) -> batch.bind("id", a.id())
                        .bind("name", name)
                        .bind("range", range)
                        .add());
        batch.execute();
    }

    @Override
    public boolean delete(Tx tx, String id) {
        tx.handle()
                .createUpdate("DELETE FROM advisory_packages WHERE advisory_id = :id")
                .bind("id", id)
                .execute();
        return tx.handle()
                        .createUpdate("DELETE FROM advisories WHERE id = :id")
                        .bind("id", id)
                        .execute()
                > 0;
    }

    @Override
    public Map<String, List<Advisory>> affecting(Tx tx, Collection<String> names) {
        Map<String, List<Advisory>> out = new HashMap<>();
        List<String> all = new ArrayList<>(names);
        for (int from = 0; from < all.size(); from += CHUNK) {
            tx.handle()
                    .createQuery("SELECT a.*, p.name, p.vulnerable_versions FROM advisory_packages p"
                            + " JOIN advisories a ON a.id = p.advisory_id WHERE p.name IN (<names>)"
                            + " ORDER BY p.name, a.id")
                    .bindList("names", all.subList(from, Math.min(all.size(), from + CHUNK)))
                    .map((rs, c) -> new Advisory(
                            rs.getString("id"),
                            rs.getLong("number"),
                            rs.getString("title"),
                            rs.getString("url"),
                            rs.getString("severity"),
                            strings(rs.getString("cwe")),
                            rs.getDouble("cvss_score"),
                            rs.getString("cvss_vector"),
                            strings(rs.getString("aliases")),
                            rs.getString("published"),
                            rs.getString("modified"),
                            Map.of(rs.getString("name"), rs.getString("vulnerable_versions"))))
                    .forEach(a -> out.computeIfAbsent(
                                    a.ranges().keySet().iterator().next(), k -> new ArrayList<>())
                            .add(a));
        }
        return out;
    }

    @Override
    public int count(Tx tx) {
        return tx.handle()
                .createQuery("SELECT COUNT(*) FROM advisories")
                .mapTo(Integer.class)
                .one();
    }

    private static List<String> strings(String json) {
        return Json.MAPPER.convertValue(Json.parse(json), STRINGS);
    }
}
