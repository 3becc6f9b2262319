package dev.airlock.staging;

/** One maintainer's approval of a stage, with the factor that proved presence. */
public record Approval(String user, String factor, long at) {}
