package dev.airlock.names;

/** A name an administrator allowed for a new package although npm accepts it only for existing ones. */
public record AllowedName(String name, String allowedBy, long allowedAt) {}
