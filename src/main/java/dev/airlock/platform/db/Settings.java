package dev.airlock.platform.db;

/** Small key/value settings kept in the database (e.g. the public URL the packuments were built for). */
public final class Settings {
    private final Database db;

    public Settings(Database db) {
        this.db = db;
    }

    public String get(String key) {
        return db.read(tx -> tx.handle()
                .createQuery("SELECT value FROM settings WHERE key = :k")
                .bind("k", key)
                .mapTo(String.class)
                .findOne()
                .orElse(null));
    }

    public void put(String key, String value) {
        db.write(tx -> {
            int n = tx.handle()
                    .createUpdate("UPDATE settings SET value = :v WHERE key = :k")
                    .bind("k", key)
                    .bind("v", value)
                    .execute();
            if (n == 0) {
                tx.handle()
                        .createUpdate("INSERT INTO settings (key, value) VALUES (:k, :v)")
                        .bind("k", key)
                        .bind("v", value)
                        .execute();
            }
            return null;
        });
    }
}
