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
 * stored as text, so its bytes (the Merkle leaf) never depend on re-serialisation. Version 1:
 * {@code {"action","actor":{"user","credential","token"},"at","detail","id","outcome","source":{"ip"},"target","v":1}}
 * with absent values left out. Entry ids sort by time, then by their order on one node.
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
        Map<String, Object> who = new TreeMap<>();
        put(who, "user", actor.user());
        put(who, "credential", actor.credential());
        if (actor.tokenKey() != null) {
            // the token's public id (the first 16 hex digits of the SHA-256 of its secret), never the secret
            put(
                    who,
                    "token",
                    actor.tokenKey().substring(0, Math.min(16, actor.tokenKey().length())));
        }
        Map<String, Object> e = new TreeMap<>();
        e.put("v", 1);
        e.put("id", id);
        e.put("at", at);
        e.put("action", action);
        e.put("outcome", outcome);
        e.put("actor", who);
        if (actor.sourceAddress() != null) {
            e.put("source", Map.of("ip", actor.sourceAddress()));
        }
        e.put("target", target);
        e.put("detail", detail == null ? Map.of() : new TreeMap<>(detail));
        return write(e);
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
