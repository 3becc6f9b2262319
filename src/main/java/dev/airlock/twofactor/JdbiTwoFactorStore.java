package dev.airlock.twofactor;

import dev.airlock.platform.db.Tx;
import java.util.List;

final class JdbiTwoFactorStore implements TwoFactorStore {
    @Override
    public Row find(Tx tx, String user) {
        return tx.handle()
                .createQuery("SELECT * FROM tfa WHERE user_name = :u")
                .bind("u", user)
                .map((rs, c) -> new Row(
                        rs.getString("user_name"),
                        rs.getString("mode"),
                        rs.getInt("pending") == 1,
                        rs.getString("secret_enc"),
                        rs.getLong("last_step")))
                .findOne()
                .orElse(null);
    }

    @Override
    public void upsert(Tx tx, String user, String mode, boolean pending, String secretEnc, long at) {
        delete(tx, user);
        tx.handle()
                .createUpdate(
                        "INSERT INTO tfa (user_name, mode, pending, secret_enc, last_step, created_at, updated_at)"
                                + " VALUES (:u, :m, :p, :s, 0, :at, :at)")
                .bind("u", user)
                .bind("m", mode)
                .bind("p", pending ? 1 : 0)
                .bind("s", secretEnc)
                .bind("at", at)
                .execute();
    }

    @Override
    public void setMode(Tx tx, String user, String mode, boolean pending, long at) {
        tx.handle()
                .createUpdate("UPDATE tfa SET mode = :m, pending = :p, updated_at = :at WHERE user_name = :u")
                .bind("u", user)
                .bind("m", mode)
                .bind("p", pending ? 1 : 0)
                .bind("at", at)
                .execute();
    }

    @Override
    public void delete(Tx tx, String user) {
        tx.handle()
                .createUpdate("DELETE FROM tfa_recovery WHERE user_name = :u")
                .bind("u", user)
                .execute();
        tx.handle()
                .createUpdate("DELETE FROM tfa WHERE user_name = :u")
                .bind("u", user)
                .execute();
    }

    @Override
    public boolean claimStep(Tx tx, String user, long step) {
        return tx.handle()
                        .createUpdate("UPDATE tfa SET last_step = :s WHERE user_name = :u AND last_step < :s")
                        .bind("u", user)
                        .bind("s", step)
                        .execute()
                == 1;
    }

    @Override
    public void replaceRecoveryCodes(Tx tx, String user, List<String> hashes) {
        tx.handle()
                .createUpdate("DELETE FROM tfa_recovery WHERE user_name = :u")
                .bind("u", user)
                .execute();
        for (String h : hashes) {
            tx.handle()
                    .createUpdate("INSERT INTO tfa_recovery (user_name, code_hash) VALUES (:u, :h)")
                    .bind("u", user)
                    .bind("h", h)
                    .execute();
        }
    }

    @Override
    public boolean useRecoveryCode(Tx tx, String user, String hash, long at) {
        return tx.handle()
                        .createUpdate("UPDATE tfa_recovery SET used_at = :at WHERE user_name = :u AND code_hash = :h"
                                + " AND used_at IS NULL")
                        .bind("u", user)
                        .bind("h", hash)
                        .bind("at", at)
                        .execute()
                == 1;
    }

    @Override
    public void recordFailure(Tx tx, String user, long at) {
        tx.handle()
                .createUpdate("INSERT INTO tfa_failures (user_name, at) VALUES (:u, :at)")
                .bind("u", user)
                .bind("at", at)
                .execute();
    }

    @Override
    public List<Long> failuresSince(Tx tx, String user, long since) {
        return tx.handle()
                .createQuery("SELECT at FROM tfa_failures WHERE user_name = :u AND at >= :since ORDER BY at")
                .bind("u", user)
                .bind("since", since)
                .mapTo(Long.class)
                .list();
    }

    @Override
    public int purgeFailures(Tx tx, long before) {
        return tx.handle()
                .createUpdate("DELETE FROM tfa_failures WHERE at < :before")
                .bind("before", before)
                .execute();
    }
}
