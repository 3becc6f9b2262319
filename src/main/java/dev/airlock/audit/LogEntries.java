package dev.airlock.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.airlock.platform.json.Json;
import dev.airlock.shared.Actor;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The canonical form of a log entry: compact JSON with every object's keys sorted, written once by the writer and
 * stored as text, so its bytes (the Merkle leaf) never depend on re-serialisation. Version 1 (docs/audit.md, Events):
 * {@code {"action","actor":{"user","credential","token":{"id","name","bypass2fa"},"ci":{…}},"at","detail","factor",
 * "id","outcome","source":{"ip","userAgent"},"target","v":1}} with absent values left out. Entry ids sort by time, then by their order on one node.
 */
final class LogEntries {
    private static final ObjectMapper CANONICAL =
            Json.MAPPER.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final AtomicLong COUNTER = new AtomicLong();
    private static final String NODE = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));

    private LogEntries() {}

    /** A new entry id: the time in hex, this node's counter, this node's random tag. */
    static String newId(long at) {
        return String.format("%012x-%012x-%s", at, COUNTER.incrementAndGet(), NODE);
    }

    static String build(
            String id, long at, Actor actor, String action, String outcome, String target, Map<String, ?> detail) {
        Map<String, Object> e = new TreeMap<>();
        e.put("v", 1);
        e.put("id", id);
        e.put("at", at);
        e.put("action", action);
        e.put("outcome", outcome);
        e.put("actor", actor(actor));
        String factor = factor(actor.facts().factor() != null ? actor.facts().factor() : factorIn(detail));
        put(e, "factor", factor);
        Map<String, Object> source = new TreeMap<>();
        put(source, "ip", actor.sourceAddress());
        put(source, "userAgent", actor.facts().userAgent());
        if (!source.isEmpty()) {
            e.put("source", source);
        }
        e.put("target", target);
        e.put("detail", detail == null ? Map.of() : Redaction.clean(detail));
        return write(e);
    }

    /** {@code {"user","credential","token":{"id","name","bypass2fa"},"ci":{…}}}: who, never the secret. */
    private static Map<String, Object> actor(Actor actor) {
        Map<String, Object> who = new TreeMap<>();
        put(who, "user", actor.user());
        put(who, "credential", actor.credential());
        if (actor.tokenKey() != null) {
            Map<String, Object> token = new TreeMap<>();
            // the token's public id (the first 16 hex digits of the SHA-256 of its secret), never the secret
            token.put("id", Actor.tokenId(actor.tokenKey()));
            put(token, "name", actor.facts().tokenName());
            if (actor.bypasses2fa()) {
                token.put("bypass2fa", true);
            }
            who.put("token", token);
        }
        if (actor.scope() != null && actor.scope().ciIdentity() != null) {
            Map<String, Object> ci = new TreeMap<>(read(actor.scope().ciIdentity()));
            ci.values().removeIf(v -> v == null);
            who.put("ci", ci);
        }
        return who;
    }

    private static String factorIn(Map<String, ?> detail) {
        return detail != null && detail.get("factor") instanceof String f ? f : null;
    }

    /** The schema's factor names: a security key (or passkey) is {@code webauthn}. */
    private static String factor(String f) {
        return "security-key".equals(f) ? "webauthn" : f;
    }

    static String write(Map<String, Object> entry) {
        try {
            return CANONICAL.writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> read(String entry) {
        try {
            return CANONICAL.readValue(entry, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("an audit log entry is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The event an entry describes (seq given by its row). */
    @SuppressWarnings("unchecked")
    static AuditEvent event(Long seq, String entry) {
        Map<String, Object> e = read(entry);
        Map<String, Object> who = (Map<String, Object>) e.getOrDefault("actor", Map.of());
        Map<String, Object> source = (Map<String, Object>) e.getOrDefault("source", Map.of());
        String user = (String) who.get("user");
        String credential = (String) who.get("credential");
        String display = who.containsKey("display")
                ? (String) who.get("display")
                : (user == null ? "anonymous" : user) + (credential == null ? "" : " (" + credential + ")");
        return new AuditEvent(
                seq,
                (String) e.get("id"),
                ((Number) e.get("at")).longValue(),
                (String) e.get("action"),
                (String) e.get("outcome"),
                display,
                user,
                (String) e.get("target"),
                (String) source.get("ip"),
                (Map<String, Object>) e.getOrDefault("detail", Map.of()),
                entry);
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
