package dev.airlock.tokens;

/** A token just created: the secret is shown exactly once. */
public record IssuedToken(String secret, Token token) {}
