package dev.airlock.packages;

/** A materialised JSON document and its entity tag. */
public record Document(String json, String etag) {
}
