package dev.airlock.packages;

import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.Query;

/**
 * The SQL of the packages feature: packages, versions, dist-tags, maintainers, access grants and the materialised
 * packuments, one statement per {@link PackageStore} method.
 *
 * <p>Size: longer than the other files on purpose. It is the whole package schema's SQL in one place, each method a
 * single statement with its row mapping; split by table it would scatter joins that read several tables at once.
 */
final class JdbiPackageStore implements PackageStore {
    @Override
    public PackageRecord find(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT * FROM packages WHERE name = :n")
                .bind("n", name)
                .map((rs, c) -> new PackageRecord(
                        rs.getString("name"),
                        rs.getString("scope"),
                        rs.getString("access"),
                        PackageState.fromWire(rs.getString("state")),
                        rs.getLong("rev_seq"),
                        rs.getLong("created_at"),
                        rs.getLong("modified_at")))
                .findOne()
                .orElse(null);
    }

    @Override
    public void insert(Tx tx, PackageRecord p) {
        tx.handle()
                .createUpdate("INSERT INTO packages (name, scope, access, state, rev_seq, created_at, modified_at)"
                        + " VALUES (:name, :scope, :access, :state, :rev, :created, :modified)")
                .bind("name", p.name())
                .bind("scope", p.scope())
                .bind("access", p.access())
                .bind("state", p.state().wire())
                .bind("rev", p.revSeq())
                .bind("created", p.createdAt())
                .bind("modified", p.modifiedAt())
                .execute();
    }

    @Override
    public void update(Tx tx, PackageRecord p) {
        tx.handle()
                .createUpdate(
                        "UPDATE packages SET access = :access, state = :state, rev_seq = :rev, modified_at = :modified"
                                + " WHERE name = :name")
                .bind("name", p.name())
                .bind("access", p.access())
                .bind("state", p.state().wire())
                .bind("rev", p.revSeq())
                .bind("modified", p.modifiedAt())
                .execute();
    }

    @Override
    public List<VersionRecord> versions(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT * FROM versions WHERE package = :n ORDER BY created_at, version")
                .bind("n", name)
                .map((rs, c) -> version(rs))
                .list();
    }

    @Override
    public VersionRecord version(Tx tx, String name, String version) {
        return tx.handle()
                .createQuery("SELECT * FROM versions WHERE package = :n AND version = :v")
                .bind("n", name)
                .bind("v", version)
                .map((rs, c) -> version(rs))
                .findOne()
                .orElse(null);
    }

    private static VersionRecord version(ResultSet rs) throws SQLException {
        return new VersionRecord(
                rs.getString("package"),
                rs.getString("version"),
                VersionState.fromWire(rs.getString("state")),
                rs.getString("manifest_json"),
                rs.getString("readme"),
                rs.getString("integrity"),
                rs.getString("shasum"),
                rs.getString("tarball_blob"),
                rs.getLong("tarball_size"),
                rs.getLong("created_at"),
                dev.airlock.platform.db.Rows.nullableLong(rs, "published_at"),
                rs.getString("published_by"),
                rs.getString("deprecated"),
                rs.getString("authorisation_json"));
    }

    @Override
    public void insertVersion(Tx tx, VersionRecord v) {
        tx.handle()
                .createUpdate("INSERT INTO versions (package, version, state, manifest_json, readme, integrity, shasum,"
                        + " tarball_blob, tarball_size, created_at, published_at, published_by, deprecated, authorisation_json)"
                        + " VALUES (:p, :v, :state, :manifest, :readme, :integrity, :shasum, :blob, :size, :created, :published, :by,"
                        + " :deprecated, :authorisation)")
                .bind("p", v.pkg())
                .bind("v", v.version())
                .bind("state", v.state().wire())
                .bind("manifest", v.manifestJson())
                .bind("readme", v.readme())
                .bind("integrity", v.integrity())
                .bind("shasum", v.shasum())
                .bind("blob", v.blob())
                .bind("size", v.size())
                .bind("created", v.createdAt())
                .bind("published", v.publishedAt())
                .bind("by", v.publishedBy())
                .bind("deprecated", v.deprecated())
                .bind("authorisation", v.authorisation())
                .execute();
    }

    @Override
    public void setVersionState(Tx tx, String name, String version, VersionState state, boolean freeBlob) {
        tx.handle()
                .createUpdate("UPDATE versions SET state = :s" + (freeBlob ? ", tarball_blob = NULL" : "")
                        + " WHERE package = :n AND version = :v")
                .bind("s", state.wire())
                .bind("n", name)
                .bind("v", version)
                .execute();
    }

    @Override
    public void setDeprecated(Tx tx, String name, String version, String message) {
        tx.handle()
                .createUpdate("UPDATE versions SET deprecated = :d WHERE package = :n AND version = :v")
                .bind("d", message)
                .bind("n", name)
                .bind("v", version)
                .execute();
    }

    @Override
    public Map<String, String> tags(Tx tx, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        tx.handle()
                .createQuery("SELECT tag, version FROM dist_tags WHERE package = :n ORDER BY tag")
                .bind("n", name)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void setTag(Tx tx, String name, String tag, String version) {
        int n = tx.handle()
                .createUpdate("UPDATE dist_tags SET version = :v WHERE package = :n AND tag = :t")
                .bind("n", name)
                .bind("t", tag)
                .bind("v", version)
                .execute();
        if (n == 0) {
            tx.handle()
                    .createUpdate("INSERT INTO dist_tags (package, tag, version) VALUES (:n, :t, :v)")
                    .bind("n", name)
                    .bind("t", tag)
                    .bind("v", version)
                    .execute();
        }
    }

    @Override
    public void removeTag(Tx tx, String name, String tag) {
        tx.handle()
                .createUpdate("DELETE FROM dist_tags WHERE package = :n AND tag = :t")
                .bind("n", name)
                .bind("t", tag)
                .execute();
    }

    @Override
    public Map<String, String> maintainers(Tx tx, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        tx.handle()
                .createQuery("SELECT m.user_name, u.email FROM maintainers m JOIN users u ON u.name = m.user_name"
                        + " WHERE m.package = :n ORDER BY m.added_at, m.user_name")
                .bind("n", name)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void addMaintainer(Tx tx, String name, String user, long at) {
        tx.handle()
                .createUpdate(
                        "INSERT INTO maintainers (package, user_name, added_at) SELECT :n, :u, :at WHERE NOT EXISTS"
                                + " (SELECT 1 FROM maintainers WHERE package = :n AND user_name = :u)")
                .bind("n", name)
                .bind("u", user)
                .bind("at", at)
                .execute();
    }

    @Override
    public void removeMaintainer(Tx tx, String name, String user) {
        tx.handle()
                .createUpdate("DELETE FROM maintainers WHERE package = :n AND user_name = :u")
                .bind("n", name)
                .bind("u", user)
                .execute();
    }

    @Override
    public void saveFragment(Tx tx, String name, PackumentParts.Fragment f) {
        int n = tx.handle()
                .createUpdate("UPDATE packument_versions SET full_json = :f, corgi_json = :c"
                        + " WHERE package = :n AND version = :v")
                .bind("n", name)
                .bind("v", f.version())
                .bind("f", f.full())
                .bind("c", f.corgi())
                .execute();
        if (n == 0) {
            tx.handle()
                    .createUpdate("INSERT INTO packument_versions (package, version, full_json, corgi_json)"
                            + " VALUES (:n, :v, :f, :c)")
                    .bind("n", name)
                    .bind("v", f.version())
                    .bind("f", f.full())
                    .bind("c", f.corgi())
                    .execute();
        }
    }

    @Override
    public void deleteFragments(Tx tx, String name) {
        tx.handle()
                .createUpdate("DELETE FROM packument_versions WHERE package = :n")
                .bind("n", name)
                .execute();
    }

    @Override
    public PackumentParts.Head head(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT head_json, rev, latest, search_text FROM packument_heads WHERE package = :n")
                .bind("n", name)
                .map((rs, c) -> new PackumentParts.Head(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        PackumentParts.count(rs.getString(1)),
                        rs.getString(4)))
                .findOne()
                .orElse(null);
    }

    @Override
    public void saveHead(Tx tx, String name, PackumentParts.Head head, long modified) {
        int n = tx.handle()
                .createUpdate("UPDATE packument_heads SET head_json = :h, rev = :rev, latest = :l, modified_at = :m,"
                        + " search_text = :s WHERE package = :n")
                .bind("n", name)
                .bind("h", head.json())
                .bind("rev", head.rev())
                .bind("l", head.latest())
                .bind("m", modified)
                .bind("s", head.searchText())
                .execute();
        if (n == 0) {
            tx.handle()
                    .createUpdate("INSERT INTO packument_heads (package, head_json, rev, latest, modified_at,"
                            + " search_text) VALUES (:n, :h, :rev, :l, :m, :s)")
                    .bind("n", name)
                    .bind("h", head.json())
                    .bind("rev", head.rev())
                    .bind("l", head.latest())
                    .bind("m", modified)
                    .bind("s", head.searchText())
                    .execute();
        }
    }

    @Override
    public void deleteHead(Tx tx, String name) {
        tx.handle()
                .createUpdate("DELETE FROM packument_heads WHERE package = :n")
                .bind("n", name)
                .execute();
    }

    @Override
    public List<String> publishedVersions(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT version FROM versions WHERE package = :n AND state = 'published'")
                .bind("n", name)
                .mapTo(String.class)
                .list();
    }

    @Override
    public int countPublished(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT COUNT(*) FROM versions WHERE package = :n AND state = 'published'")
                .bind("n", name)
                .mapTo(Integer.class)
                .one();
    }

    /** Part 0: the package row and its head; part 1: its version rows with time entries, in publication order. */
    private static final String ASSEMBLY = "SELECT 0 AS part, p.name, p.scope, p.access, p.state, h.head_json, h.rev,"
            + " NULL AS version, NULL AS vstate, NULL AS published_at, NULL AS full_json, NULL AS corgi_json,"
            + " 0 AS created_at FROM packages p LEFT JOIN packument_heads h ON h.package = p.name WHERE p.name = :n"
            + " UNION ALL SELECT 1, NULL, NULL, NULL, NULL, NULL, NULL, v.version, v.state, v.published_at,"
            + " f.full_json, f.corgi_json, v.created_at FROM versions v LEFT JOIN packument_versions f"
            + " ON f.package = v.package AND f.version = v.version"
            + " WHERE v.package = :n AND v.state IN ('published', 'unpublished')"
            + " ORDER BY part, created_at, version";

    @Override
    public Assembly assembly(Tx tx, String name) {
        // one statement, so that the head and the fragments are one consistent snapshot (a read handle autocommits)
        Assembly[] pkg = new Assembly[1];
        tx.handle()
                .createQuery(ASSEMBLY)
                .bind("n", name)
                .map((rs, c) -> {
                    if (rs.getInt(1) == 0) {
                        pkg[0] = new Assembly(
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                PackageState.fromWire(rs.getString(5)),
                                rs.getString(6),
                                rs.getString(7),
                                new java.util.ArrayList<>());
                    } else if (pkg[0] != null) {
                        pkg[0].rows()
                                .add(new PackumentParts.Row(
                                        rs.getString(8),
                                        VersionState.fromWire(rs.getString(9)),
                                        dev.airlock.platform.db.Rows.nullableLong(rs, "published_at"),
                                        rs.getString(11),
                                        rs.getString(12)));
                    }
                    return 0;
                })
                .forEach(x -> {});
        return pkg[0];
    }

    @Override
    public Served servedTarball(Tx tx, String name, String version) {
        LocalRows.Tarball t = tx.handle()
                .createQuery("SELECT " + JdbiLocalRows.TARBALL_COLUMNS + " FROM (SELECT 1 AS one) q"
                        + JdbiLocalRows.TARBALL_JOIN)
                .bind("n", name)
                .bind("v", version)
                .map((rs, c) -> JdbiLocalRows.tarball(rs, 1))
                .one();
        return t == null
                ? null
                : new Served(t.name(), t.scope(), t.access(), null, false, t.integrity(), t.blob(), t.size());
    }

    @Override
    public String rev(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT rev FROM packument_heads WHERE package = :n")
                .bind("n", name)
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    @Override
    public Map<String, String> teamGrants(Tx tx, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        tx.handle()
                .createQuery("SELECT org, team, permission FROM team_packages WHERE package = :n")
                .bind("n", name)
                .map((rs, c) -> Map.entry(rs.getString(1) + ":" + rs.getString(2), rs.getString(3)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public void grant(Tx tx, String org, String team, String name, String permission) {
        revoke(tx, org, team, name);
        tx.handle()
                .createUpdate("INSERT INTO team_packages (org, team, package, permission) VALUES (:o, :t, :n, :p)")
                .bind("o", org)
                .bind("t", team)
                .bind("n", name)
                .bind("p", permission)
                .execute();
    }

    @Override
    public void revoke(Tx tx, String org, String team, String name) {
        tx.handle()
                .createUpdate("DELETE FROM team_packages WHERE org = :o AND team = :t AND package = :n")
                .bind("o", org)
                .bind("t", team)
                .bind("n", name)
                .execute();
    }

    @Override
    public Map<String, String> teamPackages(Tx tx, String org, String team) {
        Map<String, String> out = new LinkedHashMap<>();
        tx.handle()
                .createQuery(
                        "SELECT package, permission FROM team_packages WHERE org = :o AND team = :t ORDER BY package")
                .bind("o", org)
                .bind("t", team)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public List<String> byScope(Tx tx, String scope) {
        return tx.handle()
                .createQuery("SELECT name FROM packages WHERE scope = :s AND state = 'active' ORDER BY name")
                .bind("s", scope)
                .mapTo(String.class)
                .list();
    }

    @Override
    public List<String> byMaintainer(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT m.package FROM maintainers m JOIN packages p ON p.name = m.package"
                        + " WHERE m.user_name = :u AND p.state = 'active' ORDER BY m.package")
                .bind("u", user)
                .mapTo(String.class)
                .list();
    }

    @Override
    public List<String> search(Tx tx, List<String> terms, int limit, int offset) {
        StringBuilder sql = new StringBuilder("SELECT package FROM packument_heads WHERE 1 = 1");
        for (int i = 0; i < terms.size(); i++) {
            sql.append(" AND search_text LIKE :t").append(i).append(" ESCAPE '!'");
        }
        sql.append(" ORDER BY CASE WHEN package = :exact THEN 0 ELSE 1 END, package LIMIT :limit OFFSET :offset");
        Query q = tx.handle().createQuery(sql.toString());
        for (int i = 0; i < terms.size(); i++) {
            q.bind(
                    "t" + i,
                    "%" + terms.get(i).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        return q.bind("exact", String.join(" ", terms))
                .bind("limit", limit)
                .bind("offset", offset)
                .mapTo(String.class)
                .list();
    }

    @Override
    public List<String> allNames(Tx tx) {
        return tx.handle()
                .createQuery("SELECT name FROM packages ORDER BY name")
                .mapTo(String.class)
                .list();
    }

    @Override
    public boolean userExists(Tx tx, String user) {
        return tx.handle()
                        .createQuery("SELECT COUNT(*) FROM users WHERE name = :u")
                        .bind("u", user)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    @Override
    public List<String> referencedBlobs(Tx tx) {
        return tx.handle()
                .createQuery("SELECT DISTINCT tarball_blob FROM versions WHERE tarball_blob IS NOT NULL")
                .mapTo(String.class)
                .list();
    }

    @Override
    public boolean referencesBlob(Tx tx, String key) {
        return tx.handle()
                .createQuery("SELECT 1 FROM versions WHERE tarball_blob = :b LIMIT 1")
                .bind("b", key)
                .mapTo(Integer.class)
                .findFirst()
                .isPresent();
    }

    @Override
    public void publishStaged(Tx tx, String name, String version, long at, String authorisation) {
        tx.handle()
                .createUpdate("UPDATE versions SET state = 'published', published_at = :at, authorisation_json = :a"
                        + " WHERE package = :n AND version = :v AND state = 'staged'")
                .bind("n", name)
                .bind("v", version)
                .bind("at", at)
                .bind("a", authorisation)
                .execute();
    }

    @Override
    public void setManifest(Tx tx, String name, String version, String manifestJson) {
        tx.handle()
                .createUpdate("UPDATE versions SET manifest_json = :m WHERE package = :n AND version = :v")
                .bind("n", name)
                .bind("v", version)
                .bind("m", manifestJson)
                .execute();
    }

    @Override
    public void deleteStaged(Tx tx, String name, String version) {
        tx.handle()
                .createUpdate("DELETE FROM versions WHERE package = :n AND version = :v AND state = 'staged'")
                .bind("n", name)
                .bind("v", version)
                .execute();
    }

    @Override
    public void deleteReserved(Tx tx, String name) {
        tx.handle()
                .createUpdate("DELETE FROM maintainers WHERE package = :n")
                .bind("n", name)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM team_packages WHERE package = :n")
                .bind("n", name)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM packages WHERE name = :n AND state = 'staged'")
                .bind("n", name)
                .execute();
    }

    @Override
    public List<String> namesIgnoringCase(Tx tx, String lowercase) {
        // package names are ASCII (PackageName), so LOWER means the same in SQLite and PostgreSQL
        return tx.handle()
                .createQuery("SELECT name FROM packages WHERE LOWER(name) = :n ORDER BY name")
                .bind("n", lowercase)
                .mapTo(String.class)
                .list();
    }
}
