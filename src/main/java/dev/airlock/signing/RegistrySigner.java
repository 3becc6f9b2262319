package dev.airlock.signing;

import dev.airlock.audit.AuditService;
import dev.airlock.platform.db.Database;
import dev.airlock.platform.db.Tx;
import dev.airlock.shared.Actor;
import dev.airlock.shared.AirlockException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The registry's ECDSA P-256 signing key (docs/verification.md): signs {@code name@version:integrity} for every
 * version served (npm's registry signatures) and any other message another feature needs signed with it, and keeps
 * the public half of every key that ever signed in the database, so every node serves the same keys.
 *
 * <p>The private key is a file: generated on first start ({@code DATA/signing.key}, mode 0600) or named by
 * {@code security.signingKeyFile}. Whatever key that file holds is the current one: when a start finds a key the
 * database does not know, it is registered and the previous key gets its {@code expires}. {@code ./airlock keys
 * rotate} writes a new generated key (a rename) and registers it; a server running beside it notices the new file
 * before its next signature.
 */
public final class RegistrySigner {
    private final Database db;
    private final JdbiSigningStore store = new JdbiSigningStore();
    private final AuditService audit;
    private final Clock clock;
    private final Path file;
    private final boolean operatorSupplied;
    private volatile Loaded loaded;
    private volatile java.util.function.Consumer<Path> onRotated = f -> {};

    private record Loaded(KeyFile key, Object fileKey, Instant modified, long size) {}

    private RegistrySigner(Database db, AuditService audit, Clock clock, Path file, boolean operatorSupplied) {
        this.db = db;
        this.audit = audit;
        this.clock = clock;
        this.file = file;
        this.operatorSupplied = operatorSupplied;
    }

    /**
     * The signer of the key in {@code keyFile}: generated there on first use unless {@code operatorSupplied} (then a
     * missing file is an error), and registered in the database.
     */
    public static RegistrySigner create(
            Database db, AuditService audit, Clock clock, Path keyFile, boolean operatorSupplied) {
        RegistrySigner signer = new RegistrySigner(db, audit, clock, keyFile, operatorSupplied);
        if (!Files.exists(keyFile)) {
            if (operatorSupplied) {
                throw new IllegalArgumentException(
                        "security.signingKeyFile names " + keyFile + ", which does not exist");
            }
            KeyFile.generate().write(keyFile);
        }
        signer.register(signer.current(), "start");
        return signer;
    }

    /** The bytes a version's registry signature covers: {@code name@version:integrity} in UTF-8 (what npm checks). */
    public static byte[] versionMessage(String name, String version, String integrity) {
        return (name + "@" + version + ":" + integrity).getBytes(StandardCharsets.UTF_8);
    }

    /** Signs {@code message} with the current key: its keyid and the base64 DER ECDSA-SHA256 signature. */
    public SignatureRef sign(byte[] message) {
        KeyFile key = current();
        return new SignatureRef(key.keyid, Base64.getEncoder().encodeToString(key.sign(message)));
    }

    /** A version's registry signature, for its {@code dist.signatures}. */
    public SignatureRef signVersion(String name, String version, String integrity) {
        return sign(versionMessage(name, version, integrity));
    }

    /** Whether {@code sig} (base64 DER) over {@code message} verifies with the public key {@code spki} (base64). */
    public static boolean verifies(String spki, byte[] message, String sig) {
        try {
            return KeyFile.verify(
                    Base64.getDecoder().decode(spki),
                    message,
                    Base64.getDecoder().decode(sig));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The keyid of the key that signs now. */
    public String currentKeyid() {
        return current().keyid;
    }

    /** Every key that ever signed here, the current one first. */
    public List<RegistryKey> keys() {
        return db.read(store::keys);
    }

    /**
     * A new key signs from now on; the current one gets {@code expires} = now (its signatures stay valid for versions
     * published before). Refused when the operator supplies the key file.
     */
    public RegistryKey rotate(Actor actor) {
        if (operatorSupplied) {
            throw AirlockException.conflict("The signing key is the file named by security.signingKeyFile (" + file
                    + "). To rotate, write a new P-256 key there (openssl genpkey -algorithm EC -pkeyopt"
                    + " ec_paramgen_curve:P-256 -out FILE) and restart: the new key is registered and the old one"
                    + " expires then.");
        }
        KeyFile next = KeyFile.generate();
        // the file first: a version signed by a server beside us after this point uses the new key, which the
        // database knows a moment later; one signed before it was published before the old key expires
        next.write(file);
        RegistryKey added = register(next, "rotate", actor);
        onRotated.accept(file);
        return added;
    }

    /** Runs {@code hook} with the key file after a rotation (the assembly shares the new key with the other nodes). */
    public void onRotated(java.util.function.Consumer<Path> hook) {
        this.onRotated = hook;
    }

    private RegistryKey register(KeyFile key, String reason) {
        return register(key, reason, Actor.operator());
    }

    /** Makes {@code key} the current key in the database (idempotent); audits a change of key. */
    private RegistryKey register(KeyFile key, String reason, Actor actor) {
        return db.write(tx -> {
            List<RegistryKey> all = store.keys(tx);
            RegistryKey known = all.stream()
                    .filter(k -> k.keyid().equals(key.keyid))
                    .findFirst()
                    .orElse(null);
            if (known != null && !known.current()) {
                throw new IllegalStateException("The registry signing key in " + file + " (" + key.keyid
                        + ") was retired at " + Instant.ofEpochMilli(known.expiresAt()) + "; versions signed with it"
                        + " now would not verify. Put the current key there, or a new one.");
            }
            long now = clock.millis();
            // a version the old key signed was published before the new file was in place, so before now + 1 ms
            int expired = store.expireOthers(tx, key.keyid, now + 1);
            if (known != null) {
                return known;
            }
            RegistryKey added = new RegistryKey(key.keyid, Base64.getEncoder().encodeToString(key.spki), now, null);
            store.insert(tx, added);
            record(tx, actor, reason, added, expired, all);
            return added;
        });
    }

    private void record(Tx tx, Actor actor, String reason, RegistryKey added, int expired, List<RegistryKey> before) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("keyid", added.keyid());
        detail.put("reason", reason);
        if (expired > 0) {
            detail.put(
                    "expired",
                    before.stream()
                            .filter(RegistryKey::current)
                            .map(RegistryKey::keyid)
                            .toList());
        }
        audit.record(tx, actor, before.isEmpty() ? "signing.key.create" : "signing.key.rotate", "registry", detail);
    }

    /** The key in the file, read again when the file changed (a rotation beside this process). */
    private KeyFile current() {
        Loaded l = loaded;
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            if (l != null) {
                return l.key(); // the file is being replaced: the key read last is still ours
            }
            throw new IllegalStateException("cannot read the registry signing key " + file, e);
        }
        Instant modified = attrs.lastModifiedTime().toInstant();
        if (l == null
                || !Objects.equals(l.fileKey(), attrs.fileKey())
                || !l.modified().equals(modified)
                || l.size() != attrs.size()) {
            l = new Loaded(KeyFile.read(file), attrs.fileKey(), modified, attrs.size());
            loaded = l;
        }
        return l.key();
    }
}
