package dev.airlock.console;

/** A signed-in console user; {@code csrf} must accompany every state-changing form. */
public record ConsoleSession(String user, String csrf, long expiresAt) {}
