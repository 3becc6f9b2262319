package dev.airlock.scim;

import dev.airlock.platform.db.Rows;
import dev.airlock.platform.db.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.jdbi.v3.core.mapper.RowMapper;

final class JdbiScimStore implements ScimStore {
    @Override
    public void insertToken(Tx tx, String hash, String id, String description, long at) {
        tx.handle()
                .createUpdate("INSERT INTO scim_tokens (token_hash, id, description, created_at)"
                        + " VALUES (:h, :id, :d, :at)")
                .bind("h", hash)
                .bind("id", id)
                .bind("d", description)
                .bind("at", at)
                .execute();
    }

    private static TokenRow token(ResultSet rs) throws SQLException {
        return new TokenRow(
                rs.getString("id"),
                rs.getString("description"),
                rs.getLong("created_at"),
                Rows.nullableLong(rs, "last_used_at"),
                Rows.nullableLong(rs, "revoked_at"));
    }

    @Override
    public TokenRow tokenByHash(Tx tx, String hash) {
        return one(tx, "scim_tokens", "token_hash", hash, (rs, c) -> token(rs));
    }

    @Override
    public List<TokenRow> tokens(Tx tx) {
        return tx.handle()
                .createQuery("SELECT * FROM scim_tokens ORDER BY created_at")
                .map((rs, c) -> token(rs))
                .list();
    }

    @Override
    public boolean revokeToken(Tx tx, String id, long at) {
        return tx.handle()
                        .createUpdate("UPDATE scim_tokens SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL")
                        .bind("id", id)
                        .bind("at", at)
                        .execute()
                == 1;
    }

    @Override
    public void touchToken(Tx tx, String hash, long at) {
        tx.handle()
                .createUpdate("UPDATE scim_tokens SET last_used_at = :at WHERE token_hash = :h")
                .bind("h", hash)
                .bind("at", at)
                .execute();
    }

    private static UserRow user(ResultSet rs) throws SQLException {
        return new UserRow(
                rs.getString("id"),
                rs.getString("scim_name"),
                rs.getString("user_name"),
                rs.getString("external_id"),
                rs.getLong("version"),
                rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }

    @Override
    public void insertUser(Tx tx, UserRow r) {
        tx.handle()
                .createUpdate("INSERT INTO scim_users (id, scim_name, user_name, external_id, version, created_at,"
                        + " updated_at) VALUES (:id, :s, :u, :e, :v, :c, :m)")
                .bind("id", r.id())
                .bind("s", r.scimName())
                .bind("u", r.userName())
                .bind("e", r.externalId())
                .bind("v", r.version())
                .bind("c", r.createdAt())
                .bind("m", r.updatedAt())
                .execute();
    }

    @Override
    public UserRow userById(Tx tx, String id) {
        return one(tx, "scim_users", "id", id, (rs, c) -> user(rs));
    }

    @Override
    public UserRow userByName(Tx tx, String userName) {
        return one(tx, "scim_users", "user_name", userName, (rs, c) -> user(rs));
    }

    @Override
    public UserRow userByScimName(Tx tx, String scimName) {
        return one(tx, "scim_users", "scim_name", scimName, (rs, c) -> user(rs));
    }

    @Override
    public List<UserRow> users(Tx tx, int offset, int limit) {
        return page(tx, "scim_users", offset, limit, (rs, c) -> user(rs));
    }

    @Override
    public int userCount(Tx tx) {
        return count(tx, "scim_users");
    }

    @Override
    public void updateUser(Tx tx, String id, String externalId, long at) {
        tx.handle()
                .createUpdate("UPDATE scim_users SET external_id = :e, version = version + 1, updated_at = :at"
                        + " WHERE id = :id")
                .bind("e", externalId)
                .bind("at", at)
                .bind("id", id)
                .execute();
    }

    @Override
    public void deleteUser(Tx tx, String id) {
        tx.handle()
                .createUpdate("DELETE FROM scim_users WHERE id = :id")
                .bind("id", id)
                .execute();
    }

    private static GroupRow group(ResultSet rs) throws SQLException {
        return new GroupRow(
                rs.getString("id"),
                rs.getString("display_name"),
                rs.getString("external_id"),
                rs.getLong("version"),
                rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }

    @Override
    public void insertGroup(Tx tx, GroupRow r) {
        tx.handle()
                .createUpdate("INSERT INTO scim_groups (id, display_name, external_id, version, created_at,"
                        + " updated_at) VALUES (:id, :n, :e, :v, :c, :m)")
                .bind("id", r.id())
                .bind("n", r.displayName())
                .bind("e", r.externalId())
                .bind("v", r.version())
                .bind("c", r.createdAt())
                .bind("m", r.updatedAt())
                .execute();
    }

    @Override
    public GroupRow groupById(Tx tx, String id) {
        return one(tx, "scim_groups", "id", id, (rs, c) -> group(rs));
    }

    @Override
    public GroupRow groupByName(Tx tx, String displayName) {
        return one(tx, "scim_groups", "display_name", displayName, (rs, c) -> group(rs));
    }

    @Override
    public List<GroupRow> groups(Tx tx, int offset, int limit) {
        return page(tx, "scim_groups", offset, limit, (rs, c) -> group(rs));
    }

    @Override
    public int groupCount(Tx tx) {
        return count(tx, "scim_groups");
    }

    @Override
    public void updateGroup(Tx tx, String id, String displayName, String externalId, long at) {
        tx.handle()
                .createUpdate("UPDATE scim_groups SET display_name = :n, external_id = :e, version = version + 1,"
                        + " updated_at = :at WHERE id = :id")
                .bind("n", displayName)
                .bind("e", externalId)
                .bind("at", at)
                .bind("id", id)
                .execute();
    }

    @Override
    public void deleteGroup(Tx tx, String id) {
        tx.handle()
                .createUpdate("DELETE FROM scim_group_members WHERE group_id = :id")
                .bind("id", id)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM scim_groups WHERE id = :id")
                .bind("id", id)
                .execute();
    }

    @Override
    public List<String> members(Tx tx, String groupId) {
        return tx.handle()
                .createQuery("SELECT user_id FROM scim_group_members WHERE group_id = :g ORDER BY user_id")
                .bind("g", groupId)
                .mapTo(String.class)
                .list();
    }

    @Override
    public void addMember(Tx tx, String groupId, String userId) {
        removeMember(tx, groupId, userId);
        tx.handle()
                .createUpdate("INSERT INTO scim_group_members (group_id, user_id) VALUES (:g, :u)")
                .bind("g", groupId)
                .bind("u", userId)
                .execute();
    }

    @Override
    public void removeMember(Tx tx, String groupId, String userId) {
        tx.handle()
                .createUpdate("DELETE FROM scim_group_members WHERE group_id = :g AND user_id = :u")
                .bind("g", groupId)
                .bind("u", userId)
                .execute();
    }

    @Override
    public List<String> groupNamesOf(Tx tx, String userId) {
        return tx.handle()
                .createQuery("SELECT g.display_name FROM scim_groups g JOIN scim_group_members m ON m.group_id = g.id"
                        + " WHERE m.user_id = :u ORDER BY g.display_name")
                .bind("u", userId)
                .mapTo(String.class)
                .list();
    }

    @Override
    public List<String> removeFromGroups(Tx tx, String userId) {
        List<String> groups = tx.handle()
                .createQuery("SELECT group_id FROM scim_group_members WHERE user_id = :u")
                .bind("u", userId)
                .mapTo(String.class)
                .list();
        tx.handle()
                .createUpdate("DELETE FROM scim_group_members WHERE user_id = :u")
                .bind("u", userId)
                .execute();
        return groups;
    }

    /** The row of {@code table} whose {@code column} is {@code value} (table and column are ours, never input). */
    private static <T> T one(Tx tx, String table, String column, String value, RowMapper<T> row) {
        return tx.handle()
                .createQuery("SELECT * FROM " + table + " WHERE " + column + " = :v")
                .bind("v", value)
                .map(row)
                .findOne()
                .orElse(null);
    }

    private static <T> List<T> page(Tx tx, String table, int offset, int limit, RowMapper<T> row) {
        return tx.handle()
                .createQuery("SELECT * FROM " + table + " ORDER BY created_at, id LIMIT :l OFFSET :o")
                .bind("l", limit)
                .bind("o", offset)
                .map(row)
                .list();
    }

    private static int count(Tx tx, String table) {
        return tx.handle()
                .createQuery("SELECT COUNT(*) FROM " + table)
                .mapTo(Integer.class)
                .one();
    }
}
