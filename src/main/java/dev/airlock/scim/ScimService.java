package dev.airlock.scim;

import static dev.airlock.scim.ScimJson.MAX_COUNT;
import static dev.airlock.scim.ScimJson.USER_SCHEMA;
import static dev.airlock.scim.ScimJson.bool;
import static dev.airlock.scim.ScimJson.filter;
import static dev.airlock.scim.ScimJson.invalid;
import static dev.airlock.scim.ScimJson.meta;
import static dev.airlock.scim.ScimJson.operations;
import static dev.airlock.scim.ScimJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.accounts.User;
import dev.airlock.accounts.UserService;
import dev.airlock.deprovisioning.DeprovisioningService;
import dev.airlock.orgs.GroupSync;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * SCIM 2.0 provisioning (RFC 7643/7644) for an identity provider (docs/deprovisioning.md, "SCIM"): users (created
 * without a usable password, deactivated with {@code active: false} through {@link DeprovisioningService}) here;
 * groups, whose membership drives {@link GroupSync} with the source {@code scim}, in {@link #groups()}; the clients'
 * tokens, stored hashed, in {@link #clientTokens()}.
 */
public final class ScimService {
    private final Database db;
    private final ScimStore store;
    private final UserService users;
    private final DeprovisioningService deprovisioning;
    private final Clock clock;
    private final String base;
    private final ScimGroups groups;
    private final ScimTokens tokens;

    public ScimService(
            Database db,
            UserService users,
            DeprovisioningService deprovisioning,
            GroupSync groupSync,
            Clock clock,
            String publicBase) {
        this.db = db;
        this.store = new JdbiScimStore();
        this.users = users;
        this.deprovisioning = deprovisioning;
        this.clock = clock;
        this.base = publicBase + "/scim/v2";
        this.groups = new ScimGroups(db, store, groupSync, clock, base);
        this.tokens = new ScimTokens(db, store, clock);
    }

    /** The /Groups resource. */
    public ScimGroups groups() {
        return groups;
    }

    /** The SCIM clients' bearer tokens. */
    public ScimTokens clientTokens() {
        return tokens;
    }

    private static Actor actor() {
        return new Actor("@scim", "scim", null, "scim");
    }

    // ---- users ----

    public ObjectNode listUsers(String filter, int startIndex, int count) {
        return db.write(tx -> {
            if (filter != null && !filter.isBlank()) {
                String[] f = filter(filter, Set.of("username", "externalid"));
                List<ScimStore.UserRow> found = new ArrayList<>();
                if (f[0].equals("username")) {
                    ScimStore.UserRow row = linked(tx, f[1].trim().toLowerCase(Locale.ROOT));
                    if (row != null) {
                        found.add(row);
                    }
                } else {
                    for (ScimStore.UserRow r : store.users(tx, 0, Integer.MAX_VALUE)) {
                        if (f[1].equals(r.externalId())) {
                            found.add(r);
                        }
                    }
                }
                return ScimJson.list(found.stream().map(r -> user(tx, r)).toList(), found.size(), 1);
            }
            int start = Math.max(1, startIndex);
            int n = Math.max(0, Math.min(MAX_COUNT, count));
            List<ObjectNode> page =
                    store.users(tx, start - 1, n).stream().map(r -> user(tx, r)).toList();
            return ScimJson.list(page, store.userCount(tx), start);
        });
    }

    /**
     * The SCIM row of an account, linking an existing account (made by hand, or by single sign-on) the first time
     * the identity provider asks for it by userName, so it can take over its lifecycle; null when no such account.
     */
    private ScimStore.UserRow linked(Tx tx, String scimName) {
        ScimStore.UserRow row = store.userByScimName(tx, scimName);
        String account = accountName(scimName);
        if (row == null
                && account != null
                && store.userByName(tx, account) == null
                && users.find(tx, account) != null) {
            long now = clock.millis();
            row = new ScimStore.UserRow(UUID.randomUUID().toString(), scimName, account, null, 1, now, now);
            store.insertUser(tx, row);
        }
        return row;
    }

    /** The account a SCIM userName names: an e-mail address's local part, lower-cased; null when not a valid name. */
    static String accountName(String scimName) {
        String local = scimName.contains("@") ? scimName.substring(0, scimName.indexOf('@')) : scimName;
        try {
            return UserService.validName(local.toLowerCase(Locale.ROOT));
        } catch (AirlockException e) {
            return null;
        }
    }

    public ObjectNode getUser(String id) {
        return db.read(tx -> user(tx, requireUser(tx, id)));
    }

    public ObjectNode createUser(JsonNode body) {
        String scimName = userName(body);
        String userName = accountName(scimName);
        return db.write(tx -> {
            if (store.userByScimName(tx, scimName) != null
                    || store.userByName(tx, userName) != null
                    || users.find(tx, userName) != null) {
                throw new ScimException(
                        409,
                        "uniqueness",
                        "userName \"" + scimName + "\" is already taken (npm user " + userName + ").");
            }
            users.addExternal(tx, actor(), userName, email(body), "scim");
            long now = clock.millis();
            ScimStore.UserRow row = new ScimStore.UserRow(
                    UUID.randomUUID().toString(), scimName, userName, text(body, "externalId"), 1, now, now);
            store.insertUser(tx, row);
            if (body.has("active") && !bool(body.get("active"))) {
                deprovisioning.deactivate(tx, actor(), userName);
            }
            return user(tx, row);
        });
    }

    public ObjectNode replaceUser(String id, JsonNode body) {
        return db.write(tx -> {
            ScimStore.UserRow row = requireUser(tx, id);
            if (!userName(body).equals(row.scimName())) {
                throw new ScimException(400, "mutability", "userName cannot be changed: npm user names are permanent.");
            }
            applyUser(
                    tx,
                    row,
                    text(body, "externalId"),
                    email(body),
                    body.has("active") ? bool(body.get("active")) : null);
            return user(tx, store.userById(tx, id));
        });
    }

    public ObjectNode patchUser(String id, JsonNode body) {
        return db.write(tx -> {
            ScimStore.UserRow row = requireUser(tx, id);
            String externalId = row.externalId();
            String email = null;
            Boolean active = null;
            for (JsonNode op : operations(body)) {
                String kind = op.path("op").asText("").toLowerCase(Locale.ROOT);
                String path = op.path("path").asText("");
                JsonNode value = op.get("value");
                if (!kind.equals("add") && !kind.equals("replace") && !kind.equals("remove")) {
                    throw invalid("Unknown PATCH op \"" + op.path("op").asText() + "\".");
                }
                if (kind.equals("remove")) {
                    if (path.equalsIgnoreCase("externalId")) {
                        externalId = null;
                    }
                    continue;
                }
                if (path.isEmpty()) {
                    if (value == null || !value.isObject()) {
                        throw invalid("A PATCH operation without a path needs an object value.");
                    }
                    if (value.has("active")) {
                        active = bool(value.get("active"));
                    }
                    if (value.has("externalId")) {
                        externalId = value.get("externalId").asText();
                    }
                    if (value.has("emails")) {
                        email = email(value);
                    }
                    if (value.has("userName") && !userName(value).equals(row.scimName())) {
                        throw new ScimException(
                                400, "mutability", "userName cannot be changed: npm user names are permanent.");
                    }
                } else if (path.equalsIgnoreCase("active")) {
                    active = bool(value);
                } else if (path.equalsIgnoreCase("externalId")) {
                    externalId = value == null ? null : value.asText();
                } else if (path.toLowerCase(Locale.ROOT).startsWith("emails")) {
                    // Entra ID: emails[type eq "work"].value; others: emails with a list
                    email = value != null && value.isTextual()
                            ? value.asText()
                            : email(Json.object().set("emails", value));
                } else if (path.equalsIgnoreCase("userName")) {
                    if (value == null
                            || !value.asText().toLowerCase(Locale.ROOT).equals(row.userName())) {
                        throw new ScimException(
                                400, "mutability", "userName cannot be changed: npm user names are permanent.");
                    }
                }
                // other attributes (name, displayName, title…) are accepted and not kept: npm has no place for them
            }
            applyUser(tx, row, externalId, email, active);
            return user(tx, store.userById(tx, id));
        });
    }

    /** DELETE: the account is deactivated (its name and publications stay) and no longer a SCIM resource. */
    public void deleteUser(String id) {
        db.write(tx -> {
            ScimStore.UserRow row = requireUser(tx, id);
            deprovisioning.deactivate(tx, actor(), row.userName());
            store.removeFromGroups(tx, row.id());
            store.deleteUser(tx, row.id());
            return null;
        });
    }

    private void applyUser(Tx tx, ScimStore.UserRow row, String externalId, String email, Boolean active) {
        if (email != null && !email.isEmpty()) {
            users.setEmail(tx, row.userName(), email);
        }
        if (Boolean.FALSE.equals(active)) {
            deprovisioning.deactivate(tx, actor(), row.userName());
        } else if (Boolean.TRUE.equals(active) && deprovisioning.reactivate(tx, actor(), row.userName())) {
            groups.sync(tx, row);
        }
        store.updateUser(tx, row.id(), externalId, clock.millis());
    }

    private ScimStore.UserRow requireUser(Tx tx, String id) {
        ScimStore.UserRow row = id == null ? null : store.userById(tx, id);
        if (row == null) {
            throw ScimException.notFound("User " + id);
        }
        return row;
    }

    private ObjectNode user(Tx tx, ScimStore.UserRow row) {
        User u = users.find(tx, row.userName());
        ObjectNode out = Json.object();
        out.putArray("schemas").add(USER_SCHEMA);
        out.put("id", row.id());
        if (row.externalId() != null) {
            out.put("externalId", row.externalId());
        }
        out.put("userName", row.scimName());
        if (u != null && u.email() != null && !u.email().isEmpty()) {
            ObjectNode email = out.putArray("emails").addObject();
            email.put("value", u.email());
            email.put("type", "work");
            email.put("primary", true);
        }
        out.put("active", users.deactivatedAt(tx, row.userName()) == null);
        ArrayNode groups = out.putArray("groups");
        for (String name : store.groupNamesOf(tx, row.id())) {
            ScimStore.GroupRow g = store.groupByName(tx, name);
            groups.addObject().put("value", g.id()).put("display", name).put("$ref", base + "/Groups/" + g.id());
        }
        meta(out, "User", base + "/Users/" + row.id(), row.createdAt(), row.updatedAt(), row.version());
        return out;
    }

    // ---- the user resource's attributes ----

    /** The SCIM userName, lower-cased (userName is not case-exact, RFC 7643 section 4.1.1); it must name an account. */
    private static String userName(JsonNode body) {
        String name = text(body, "userName");
        if (name == null || name.isBlank()) {
            throw invalid("userName is required.");
        }
        String lower = name.trim().toLowerCase(Locale.ROOT);
        if (lower.length() > 320 || accountName(lower) == null) {
            throw invalid("userName \"" + name + "\" does not name an npm user: use lowercase letters, digits, '.',"
                    + " '_' or '-', or an e-mail address whose local part is such a name.");
        }
        return lower;
    }

    /** The primary (or first) e-mail address, or null when none is given. */
    private static String email(JsonNode body) {
        JsonNode emails = body.get("emails");
        if (emails == null || !emails.isArray() || emails.isEmpty()) {
            return null;
        }
        JsonNode chosen = emails.get(0);
        for (JsonNode e : emails) {
            if (e.path("primary").asBoolean(false)) {
                chosen = e;
            }
        }
        return chosen.path("value").asText(null);
    }
}
