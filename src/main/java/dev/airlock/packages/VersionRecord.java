package dev.airlock.packages;

/** One version row in any {@link VersionState}. */
public record VersionRecord(
        String pkg,
        String version,
        VersionState state,
        String manifestJson,
        String readme,
        String integrity,
        String shasum,
        String blob,
        long size,
        long createdAt,
        Long publishedAt,
        String publishedBy,
        String deprecated,
        String authorisation) {
    /**
     * The row a validated version becomes, by {@code user} at {@code now}: published (with how it was authorised) or
     * staged (not published yet, no authorisation until its approval).
     */
    static VersionRecord of(NewVersion v, VersionState state, long now, String user, String authorisation) {
        return new VersionRecord(
                v.name().toString(),
                v.version(),
                state,
                dev.airlock.platform.json.Json.write(v.manifest()),
                v.readme(),
                v.integrity(),
                v.shasum(),
                v.blob(),
                v.size(),
                now,
                state == VersionState.PUBLISHED ? now : null,
                user,
                null,
                authorisation);
    }

    public boolean published() {
        return state == VersionState.PUBLISHED;
    }
}
