package dev.airlock.accounts;

/** An account. The password hash never leaves the accounts feature. */
public record User(
        String name,
        String email,
        boolean admin,
        String fullname,
        String homepage,
        String freenode,
        String twitter,
        String github,
        long createdAt,
        long updatedAt) {}
