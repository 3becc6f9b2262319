package dev.airlock.packages;

/** Where a published version's tarball lives. */
public record TarballRef(String blob, long size, String integrity) {}
