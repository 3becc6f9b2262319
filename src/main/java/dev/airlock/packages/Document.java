package dev.airlock.packages;

/** A materialised JSON document, its entity tag and (when stored) its gzip encoding. */
public record Document(String json, String etag, byte[] gzip) {
    public Document(String json, String etag) {
        this(json, etag, null);
    }
}
