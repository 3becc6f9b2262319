package dev.airlock.accounts;

import dev.airlock.shared.Actor;

/**
 * A directory that checks the passwords of accounts that have none here (the ldap feature): asked by
 * {@link UserService#checkPassword(Actor, String, String, String)} for a name that is not an account, or whose account
 * has no local password, after the password-failure throttling and before recording a failure.
 */
public interface PasswordDirectory {
    /**
     * Whether {@code password} is {@code name}'s password in the directory; on true, the account {@code name} exists
     * (made just in time and linked on a first sign-in) and its groups were synchronised. False for an unknown name, a
     * wrong password, or an empty one alike. Throws an {@code AirlockException} with a sentence for what the person
     * must know: the directory out of reach, or a directory entry whose name is a local account it is not linked to.
     */
    boolean verify(Actor attempt, String name, String password);
}
