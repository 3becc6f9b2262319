package dev.airlock.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.accounts.User;
import dev.airlock.accounts.UserService;
import dev.airlock.deprovisioning.DeprovisioningService;
import dev.airlock.orgs.GroupSync;
import dev.airlock.platform.crypto.Hashes;
import dev.airlock.platform.crypto.Secrets;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SCIM 2.0 provisioning (RFC 7643/7644) for an identity provider (docs/deprovisioning.md, "SCIM"): users (created
 * without a usable password, deactivated with {@code active: false} through {@link DeprovisioningService}) and
 * groups, whose membership drives {@link GroupSync} with the source {@code scim}. Client tokens are stored hashed.
 */
public final class ScimService {
    static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
    static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
    static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private static final int MAX_COUNT = 200;
    private static final Pattern FILTER =
            Pattern.compile("\\s*([A-Za-z.]+)\\s+eq\\s+\"((?:[^\"\\\\]|\\\\.)*)\"\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern MEMBER_PATH =
            Pattern.compile("members\\[\\s*value\\s+eq\\s+\"([^\"]+)\"\\s*\\]", Pattern.CASE_INSENSITIVE);
    private final Database db;
    private final ScimStore store;
    private final UserService users;
    private final DeprovisioningService deprovisioning;
    private final GroupSync groupSync;
    private final Clock clock;
    private final String base;

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
        this.groupSync = groupSync;
        this.clock = clock;
        this.base = publicBase + "/scim/v2";
    }

    private static Actor actor() {
        return new Actor("@scim", "scim", null, "scim");
    }

    // ---- client tokens (./airlock scim token create|list|revoke) ----

    /** A new client token: the secret (shown once) and its id. */
    public record Created(String id, String secret) {}

    public record TokenInfo(String id, String description, long createdAt, Long lastUsedAt, Long revokedAt) {}

    public Created createToken(String description) {
        String secret = "airlock_scim_" + Secrets.base62(43);
        String hash = Hashes.sha256Hex(secret);
        String id = hash.substring(0, 12);
        db.write(tx -> {
            store.insertToken(tx, hash, id, description == null ? "" : description, clock.millis());
            return null;
        });
        return new Created(id, secret);
    }

    public List<TokenInfo> tokens() {
        return db.read(tx -> store.tokens(tx).stream()
                .map(t -> new TokenInfo(t.id(), t.description(), t.createdAt(), t.lastUsedAt(), t.revokedAt()))
                .toList());
    }

    public void revokeToken(String id) {
        if (!db.write(tx -> store.revokeToken(tx, id, clock.millis()))) {
            throw AirlockException.notFound("No live SCIM token \"" + id + "\".");
        }
    }

    /** Checks a request's {@code Authorization} header; a 401 SCIM error unless it carries a live client token. */
    public void authenticate(String authorization) {
        String secret = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
        String hash = secret == null || secret.isEmpty() ? null : Hashes.sha256Hex(secret);
        ScimStore.TokenRow row = hash == null ? null : db.read(tx -> store.tokenByHash(tx, hash));
        if (row == null || row.revokedAt() != null) {
            throw new ScimException(401, null, "A valid SCIM bearer token is required (./airlock scim token create).");
        }
        long now = clock.millis();
        if (row.lastUsedAt() == null || now - row.lastUsedAt() > 60_000) {
            db.write(tx -> {
                store.touchToken(tx, hash, now);
                return null;
            });
        }
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
                return list(found.stream().map(r -> user(tx, r)).toList(), found.size(), 1);
            }
            int start = Math.max(1, startIndex);
            int n = Math.max(0, Math.min(MAX_COUNT, count));
            List<ObjectNode> page =
                    store.users(tx, start - 1, n).stream().map(r -> user(tx, r)).toList();
            return list(page, store.userCount(tx), start);
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
            sync(tx, row);
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

    // ---- groups ----

    public ObjectNode listGroups(String filter, int startIndex, int count) {
        return db.read(tx -> {
            if (filter != null && !filter.isBlank()) {
                String[] f = filter(filter, Set.of("displayname", "externalid"));
                List<ObjectNode> found = new ArrayList<>();
                for (ScimStore.GroupRow g : store.groups(tx, 0, Integer.MAX_VALUE)) {
                    if (f[1].equals(f[0].equals("displayname") ? g.displayName() : g.externalId())) {
                        found.add(group(tx, g));
                    }
                }
                return list(found, found.size(), 1);
            }
            int start = Math.max(1, startIndex);
            int n = Math.max(0, Math.min(MAX_COUNT, count));
            List<ObjectNode> page = store.groups(tx, start - 1, n).stream()
                    .map(g -> group(tx, g))
                    .toList();
            return list(page, store.groupCount(tx), start);
        });
    }

    public ObjectNode getGroup(String id) {
        return db.read(tx -> group(tx, requireGroup(tx, id)));
    }

    public ObjectNode createGroup(JsonNode body) {
        String name = displayName(body);
        return db.write(tx -> {
            if (store.groupByName(tx, name) != null) {
                throw new ScimException(409, "uniqueness", "A group named \"" + name + "\" exists already.");
            }
            long now = clock.millis();
            ScimStore.GroupRow row =
                    new ScimStore.GroupRow(UUID.randomUUID().toString(), name, text(body, "externalId"), 1, now, now);
            store.insertGroup(tx, row);
            Set<String> touched = new HashSet<>();
            for (String member : memberIds(tx, body.get("members"))) {
                store.addMember(tx, row.id(), member);
                touched.add(member);
            }
            syncAll(tx, touched);
            return group(tx, row);
        });
    }

    public ObjectNode replaceGroup(String id, JsonNode body) {
        return db.write(tx -> {
            ScimStore.GroupRow row = requireGroup(tx, id);
            String name = displayName(body);
            rename(tx, row, name, text(body, "externalId"));
            Set<String> touched = new HashSet<>(store.members(tx, id));
            for (String m : store.members(tx, id)) {
                store.removeMember(tx, id, m);
            }
            for (String m : memberIds(tx, body.get("members"))) {
                store.addMember(tx, id, m);
                touched.add(m);
            }
            syncAll(tx, touched);
            return group(tx, store.groupById(tx, id));
        });
    }

    public ObjectNode patchGroup(String id, JsonNode body) {
        return db.write(tx -> {
            ScimStore.GroupRow row = requireGroup(tx, id);
            Set<String> touched = new HashSet<>();
            String name = row.displayName();
            String externalId = row.externalId();
            for (JsonNode op : operations(body)) {
                String kind = op.path("op").asText("").toLowerCase(Locale.ROOT);
                String path = op.path("path").asText("");
                JsonNode value = op.get("value");
                Matcher one = MEMBER_PATH.matcher(path);
                if (kind.equals("add") && path.equalsIgnoreCase("members")) {
                    for (String m : memberIds(tx, value)) {
                        store.addMember(tx, id, m);
                        touched.add(m);
                    }
                } else if (kind.equals("remove") && one.matches()) {
                    store.removeMember(tx, id, one.group(1));
                    touched.add(one.group(1));
                } else if (kind.equals("remove") && path.equalsIgnoreCase("members")) {
                    // Entra ID sends the members to remove as the value; without one, every member goes
                    List<String> gone = value == null ? store.members(tx, id) : memberIds(tx, value);
                    for (String m : gone) {
                        store.removeMember(tx, id, m);
                        touched.add(m);
                    }
                } else if (kind.equals("replace") && path.equalsIgnoreCase("members")) {
                    touched.addAll(store.members(tx, id));
                    for (String m : store.members(tx, id)) {
                        store.removeMember(tx, id, m);
                    }
                    for (String m : memberIds(tx, value)) {
                        store.addMember(tx, id, m);
                        touched.add(m);
                    }
                } else if ((kind.equals("replace") || kind.equals("add")) && path.equalsIgnoreCase("displayName")) {
                    name = value == null ? "" : value.asText();
                } else if ((kind.equals("replace") || kind.equals("add")) && path.equalsIgnoreCase("externalId")) {
                    externalId = value == null ? null : value.asText();
                } else if (kind.equals("replace") && path.isEmpty() && value != null && value.isObject()) {
                    // Okta renames with {"op":"replace","value":{"id":…,"displayName":…}}
                    if (value.has("displayName")) {
                        name = value.get("displayName").asText();
                    }
                    if (value.has("externalId")) {
                        externalId = value.get("externalId").asText();
                    }
                    if (value.has("members")) {
                        touched.addAll(store.members(tx, id));
                        for (String m : store.members(tx, id)) {
                            store.removeMember(tx, id, m);
                        }
                        for (String m : memberIds(tx, value.get("members"))) {
                            store.addMember(tx, id, m);
                            touched.add(m);
                        }
                    }
                } else {
                    throw invalid("Unsupported PATCH operation " + op.path("op").asText() + " on \"" + path + "\".");
                }
            }
            if (!name.equals(row.displayName())) {
                touched.addAll(store.members(tx, id));
            }
            rename(tx, row, name, externalId);
            syncAll(tx, touched);
            return group(tx, store.groupById(tx, id));
        });
    }

    public void deleteGroup(String id) {
        db.write(tx -> {
            requireGroup(tx, id);
            Set<String> touched = new HashSet<>(store.members(tx, id));
            store.deleteGroup(tx, id);
            syncAll(tx, touched);
            return null;
        });
    }

    private void rename(Tx tx, ScimStore.GroupRow row, String name, String externalId) {
        if (name.isBlank() || name.length() > 512) {
            throw invalid("displayName must be 1 to 512 characters.");
        }
        ScimStore.GroupRow other = store.groupByName(tx, name);
        if (other != null && !other.id().equals(row.id())) {
            throw new ScimException(409, "uniqueness", "A group named \"" + name + "\" exists already.");
        }
        store.updateGroup(tx, row.id(), name, externalId, clock.millis());
    }

    private List<String> memberIds(Tx tx, JsonNode members) {
        List<String> out = new ArrayList<>();
        if (members == null || members.isNull()) {
            return out;
        }
        if (!members.isArray()) {
            throw invalid("members must be a list of {\"value\": user id}.");
        }
        for (JsonNode m : members) {
            String id = m.path("value").asText("");
            if (store.userById(tx, id) == null) {
                throw invalid("No user with id \"" + id + "\".");
            }
            out.add(id);
        }
        return out;
    }

    /** Tells the group mapping the complete set of SCIM groups of each touched user. */
    private void syncAll(Tx tx, Set<String> userIds) {
        for (String id : new java.util.TreeSet<>(userIds)) {
            ScimStore.UserRow row = store.userById(tx, id);
            if (row != null) {
                sync(tx, row);
            }
        }
    }

    private void sync(Tx tx, ScimStore.UserRow row) {
        groupSync.apply(tx, row.userName(), "scim", Set.copyOf(store.groupNamesOf(tx, row.id())));
    }

    private ScimStore.GroupRow requireGroup(Tx tx, String id) {
        ScimStore.GroupRow row = id == null ? null : store.groupById(tx, id);
        if (row == null) {
            throw ScimException.notFound("Group " + id);
        }
        return row;
    }

    private ObjectNode group(Tx tx, ScimStore.GroupRow row) {
        ObjectNode out = Json.object();
        out.putArray("schemas").add(GROUP_SCHEMA);
        out.put("id", row.id());
        if (row.externalId() != null) {
            out.put("externalId", row.externalId());
        }
        out.put("displayName", row.displayName());
        ArrayNode members = out.putArray("members");
        for (String m : store.members(tx, row.id())) {
            ScimStore.UserRow u = store.userById(tx, m);
            members.addObject().put("value", m).put("display", u.userName()).put("$ref", base + "/Users/" + m);
        }
        meta(out, "Group", base + "/Groups/" + row.id(), row.createdAt(), row.updatedAt(), row.version());
        return out;
    }

    // ---- shared pieces ----

    private static void meta(ObjectNode out, String type, String location, long created, long modified, long v) {
        ObjectNode meta = out.putObject("meta");
        meta.put("resourceType", type);
        meta.put("created", Instant.ofEpochMilli(created).toString());
        meta.put("lastModified", Instant.ofEpochMilli(modified).toString());
        meta.put("location", location);
        meta.put("version", "W/\"" + v + "\"");
    }

    private static ObjectNode list(List<ObjectNode> resources, int total, int start) {
        ObjectNode out = Json.object();
        out.putArray("schemas").add(LIST_SCHEMA);
        out.put("totalResults", total);
        out.put("startIndex", start);
        out.put("itemsPerPage", resources.size());
        ArrayNode items = out.putArray("Resources");
        resources.forEach(items::add);
        return out;
    }

    /** {@code attribute eq "value"}: the lower-cased attribute (one of {@code allowed}) and the value. */
    private static String[] filter(String filter, Set<String> allowed) {
        Matcher m = FILTER.matcher(filter);
        if (!m.matches() || !allowed.contains(m.group(1).toLowerCase(Locale.ROOT))) {
            throw new ScimException(
                    400, "invalidFilter", "Only filters of the form " + allowed + " eq \"value\" are supported.");
        }
        return new String[] {m.group(1).toLowerCase(Locale.ROOT), m.group(2).replaceAll("\\\\(.)", "$1")};
    }

    private static Iterable<JsonNode> operations(JsonNode body) {
        JsonNode ops = body.get("Operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw invalid("A PATCH body needs a non-empty \"Operations\" list (RFC 7644 section 3.5.2).");
        }
        return ops;
    }

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

    private static String displayName(JsonNode body) {
        String name = text(body, "displayName");
        if (name == null || name.isBlank()) {
            throw invalid("displayName is required.");
        }
        return name;
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

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A boolean, or Entra ID's strings "True" / "False". */
    private static boolean bool(JsonNode v) {
        if (v != null && v.isBoolean()) {
            return v.asBoolean();
        }
        String s = v == null ? "" : v.asText().trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid("active must be true or false.");
        };
    }

    private static ScimException invalid(String detail) {
        return ScimException.invalidValue(detail);
    }
}
