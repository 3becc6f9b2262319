package dev.airlock.adoption;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The read-only queries of the adoption report (plain SQL that SQLite and PostgreSQL share). */
final class JdbiAdoptionQueries {
    private JdbiAdoptionQueries() {}

    /** Org members and their roles, by name. */
    static Map<String, String> members(Tx tx, String org) {
        Map<String, String> m = new LinkedHashMap<>();
        tx.handle()
                .createQuery("SELECT user_name, role FROM org_members WHERE org = :org ORDER BY user_name")
                .bind("org", org)
                .map((rs, c) -> Map.entry(rs.getString(1), rs.getString(2)))
                .list()
                .forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    /** Users who belong to no org. */
    static List<String> usersWithoutOrg(Tx tx) {
        return tx.handle()
                .createQuery("SELECT name FROM users WHERE name NOT IN (SELECT user_name FROM org_members)"
                        + " ORDER BY name")
                .mapTo(String.class)
                .list();
    }

    static List<String> orgs(Tx tx) {
        return tx.handle()
                .createQuery("SELECT name FROM orgs ORDER BY name")
                .mapTo(String.class)
                .list();
    }

    /** Active packages in the org's scope; with a null org, those in no org's scope (unscoped or a user's scope). */
    static List<String> packages(Tx tx, String org) {
        String where = org == null ? "(scope IS NULL OR scope NOT IN (SELECT name FROM orgs))" : "scope = :org";
        var q = tx.handle()
                .createQuery("SELECT name FROM packages WHERE state = 'active' AND " + where + " ORDER BY name");
        if (org != null) {
            q.bind("org", org);
        }
        return q.mapTo(String.class).list();
    }

    /** The trusted publisher of a package, or null. */
    static AdoptionReport.TrustedPublisher trustedPublisher(Tx tx, String pkg) {
        return tx.handle()
                .createQuery("SELECT type, claims_json, permissions_json FROM trusted_publishers WHERE package = :p")
                .bind("p", pkg)
                .map((rs, c) -> new AdoptionReport.TrustedPublisher(
                        rs.getString(1),
                        read(rs.getString(2), new TypeReference<Map<String, Object>>() {}),
                        read(rs.getString(3), new TypeReference<List<String>>() {}).stream()
                                .map(p -> p.equals("createStagedPackage")
                                        ? "stage"
                                        : p.equals("createPackage") ? "publish" : p)
                                .toList()))
                .findOne()
                .orElse(null);
    }

    /** A bypass token as stored, before times are formatted. */
    record TokenRow(
            String user,
            String name,
            String key,
            boolean readonly,
            long created,
            Long expires,
            Long lastUsed,
            String lastUsedFrom) {}

    /** Unrevoked, unexpired tokens that bypass 2FA, of the given users. */
    static List<TokenRow> bypassTokens(Tx tx, List<String> users, long now) {
        if (users.isEmpty()) {
            return List.of();
        }
        return tx.handle()
                .createQuery("SELECT user_name, name, token_hash, readonly, created_at, expires_at, last_used_at,"
                        + " last_used_from FROM tokens WHERE bypass_2fa = 1 AND revoked_at IS NULL"
                        + " AND (expires_at IS NULL OR expires_at > :now) AND user_name IN (<users>)"
                        + " ORDER BY user_name, created_at")
                .bind("now", now)
                .bindList("users", users)
                .map((rs, c) -> new TokenRow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getInt(4) != 0,
                        rs.getLong(5),
                        rs.getObject(6) == null ? null : rs.getLong(6),
                        rs.getObject(7) == null ? null : rs.getLong(7),
                        rs.getString(8)))
                .list();
    }

    /** A published version and how it was authorised (the JSON every version's "airlock" field shows). */
    record VersionRow(String pkg, String version, long publishedAt, String publishedBy, String authorisation) {}

    static List<VersionRow> publishedSince(Tx tx, List<String> packages, long since) {
        if (packages.isEmpty()) {
            return List.of();
        }
        return tx.handle()
                .createQuery("SELECT package, version, published_at, published_by, authorisation_json FROM versions"
                        + " WHERE state = 'published' AND published_at >= :since AND package IN (<packages>)"
                        + " ORDER BY published_at, package, version")
                .bind("since", since)
                .bindList("packages", packages)
                .map((rs, c) -> new VersionRow(
                        rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5)))
                .list();
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored trust relationship is corrupt", e);
        }
    }
}
