package dev.airlock.platform.cluster;

import dev.airlock.platform.db.Tx;

/** Node-shared keys in the {@code settings} table, under {@code cluster.key.NAME}. */
final class JdbiSharedKeyStore {
    private static String key(String name) {
        return "cluster.key." + name;
    }

    String get(Tx tx, String name) {
        return tx.handle()
                .createQuery("SELECT value FROM settings WHERE key = :k")
                .bind("k", key(name))
                .mapTo(String.class)
                .findOne()
                .orElse(null);
    }

    /** Stores {@code value} unless a value is there already (the first node to start wins). */
    void putIfAbsent(Tx tx, String name, String value) {
        tx.handle()
                .createUpdate("INSERT INTO settings (key, value) VALUES (:k, :v) ON CONFLICT (key) DO NOTHING")
                .bind("k", key(name))
                .bind("v", value)
                .execute();
    }

    /** Replaces the value (a rotation). */
    void replace(Tx tx, String name, String value) {
        if (tx.handle()
                        .createUpdate("UPDATE settings SET value = :v WHERE key = :k")
                        .bind("k", key(name))
                        .bind("v", value)
                        .execute()
                == 0) {
            putIfAbsent(tx, name, value);
        }
    }
}
