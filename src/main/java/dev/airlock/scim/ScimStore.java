package dev.airlock.scim;

import dev.airlock.platform.db.Tx;
import java.util.List;

/** SCIM's own rows: client tokens, resource ids of users and groups, group members. */
interface ScimStore {
    record TokenRow(String id, String description, long createdAt, Long lastUsedAt, Long revokedAt) {}

    record UserRow(
            String id,
            String scimName,
            String userName,
            String externalId,
            long version,
            long createdAt,
            long updatedAt) {}

    record GroupRow(String id, String displayName, String externalId, long version, long createdAt, long updatedAt) {}

    void insertToken(Tx tx, String hash, String id, String description, long at);

    TokenRow tokenByHash(Tx tx, String hash);

    List<TokenRow> tokens(Tx tx);

    boolean revokeToken(Tx tx, String id, long at);

    void touchToken(Tx tx, String hash, long at);

    void insertUser(Tx tx, UserRow row);

    UserRow userById(Tx tx, String id);

    UserRow userByName(Tx tx, String userName);

    UserRow userByScimName(Tx tx, String scimName);

    List<UserRow> users(Tx tx, int offset, int limit);

    int userCount(Tx tx);

    void updateUser(Tx tx, String id, String externalId, long at);

    void deleteUser(Tx tx, String id);

    void insertGroup(Tx tx, GroupRow row);

    GroupRow groupById(Tx tx, String id);

    GroupRow groupByName(Tx tx, String displayName);

    List<GroupRow> groups(Tx tx, int offset, int limit);

    int groupCount(Tx tx);

    void updateGroup(Tx tx, String id, String displayName, String externalId, long at);

    void deleteGroup(Tx tx, String id);

    /** Member user ids of a group. */
    List<String> members(Tx tx, String groupId);

    void addMember(Tx tx, String groupId, String userId);

    void removeMember(Tx tx, String groupId, String userId);

    /** The display names of the groups the SCIM user is in. */
    List<String> groupNamesOf(Tx tx, String userId);

    /** Removes the user from every group; the ids of those groups. */
    List<String> removeFromGroups(Tx tx, String userId);
}
