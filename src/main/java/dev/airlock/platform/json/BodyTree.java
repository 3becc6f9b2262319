package dev.airlock.platform.json;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.airlock.platform.io.Spool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a request body into a JSON tree, except that the base64 {@code data} of each {@code _attachments.<name>.tgz}
 * entry of a publish body is decoded straight from the stream into bytes (a {@link BinaryNode}, or past 1 MiB a
 * {@link Spool} on disk). A publish body is
 * almost all tarball: read as text it would cost the body's length in characters (twice, while Jackson buffers the
 * string) before decoding; this way it costs the tarball's own bytes, once. Any other attachment (npm's provenance
 * {@code .sigstore} bundle is JSON text) and every other field are read as {@link Json#MAPPER} reads them, with its
 * duplicate-key rule applied at the levels walked here too.
 */
public final class BodyTree {
    /** npm sends standard padded base64 (Node's Buffer); padding is optional here, as with java.util.Base64. */
    private static final Base64Variant BASE64 =
            Base64Variants.MIME_NO_LINEFEEDS.withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    /** A tarball attachment whose data is not base64. */
    public static final class BadAttachment extends IOException {
        private static final long serialVersionUID = 1L;

        BadAttachment(String message) {
            super(message, null);
        }
    }

    /** Tarballs up to this size stay in memory; larger ones go to a {@link Spool} file. */
    static final int IN_MEMORY = 1 << 20;

    private final Path spoolDir;
    private final List<Spool> spools;

    private BodyTree(Path spoolDir, List<Spool> spools) {
        this.spoolDir = spoolDir;
        this.spools = spools;
    }

    /** The tree of one JSON value, every tarball attachment in memory (a {@link BinaryNode}). */
    public static JsonNode read(InputStream in) throws IOException {
        return new BodyTree(null, null).tree(in);
    }

    /**
     * The tree of one JSON value; a tarball attachment over {@link #IN_MEMORY} bytes becomes a {@link POJONode} holding
     * a {@link Spool} in {@code spoolDir}, added to {@code spools} for the caller to close once the request is done
     * (also when this fails). With no {@code spoolDir}, as {@link #read(InputStream)}.
     */
    public static JsonNode read(InputStream in, Path spoolDir, List<Spool> spools) throws IOException {
        return new BodyTree(spoolDir, spools).tree(in);
    }

    /** MissingNode for an empty body; trailing content is refused. */
    private JsonNode tree(InputStream in) throws IOException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(in)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return MissingNode.getInstance();
            }
            JsonNode tree = first == JsonToken.START_OBJECT ? object(p, 0) : Json.MAPPER.readTree(p);
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "Unexpected content after the JSON value");
            }
            return tree;
        }
    }

    /** Level 0: the body; 1: {@code _attachments}; 2: one attachment. The parser is on START_OBJECT. */
    private ObjectNode object(JsonParser p, int level) throws IOException {
        ObjectNode node = Json.object();
        for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
            JsonToken t = p.nextToken();
            JsonNode value;
            if (level == 0 && field.equals("_attachments") && t == JsonToken.START_OBJECT) {
                value = object(p, 1);
            } else if (level == 1 && field.endsWith(".tgz") && t == JsonToken.START_OBJECT) {
                value = object(p, 2);
            } else if (level == 2 && field.equals("data") && t == JsonToken.VALUE_STRING) {
                value = decode(p);
            } else {
                value = Json.MAPPER.readTree(p);
            }
            if (node.has(field)) {
                throw new JsonParseException(p, "Duplicate field '" + field + "'");
            }
            node.set(field, value);
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new JsonParseException(p, "Expected a field name or the end of the object");
        }
        return node;
    }

    private JsonNode decode(JsonParser p) throws IOException {
        if (spoolDir == null) {
            // ByteArrayBuilder grows in blocks (no doubling and copying of one ever larger array)
            try (ByteArrayBuilder out = new ByteArrayBuilder()) {
                readBase64(p, out);
                return new BinaryNode(out.toByteArray());
            }
        }
        try (Spool.Writer out = new Spool.Writer(spoolDir, IN_MEMORY)) {
            readBase64(p, out);
            Spool spool = out.finish();
            if (spool.inMemory()) {
                return new BinaryNode(spool.bytes());
            }
            spools.add(spool);
            return new POJONode(spool);
        }
    }

    private static void readBase64(JsonParser p, java.io.OutputStream out) throws IOException {
        try {
            p.readBinaryValue(BASE64, out);
        } catch (IllegalArgumentException e) {
            // Jackson reports a character outside the alphabet this way (and a bad end of data as a parse error)
            throw new BadAttachment("The attachment data is not valid base64.");
        } catch (JsonParseException e) {
            if (e.getOriginalMessage() != null
                    && e.getOriginalMessage().toLowerCase(Locale.ROOT).contains("base64")) {
                throw new BadAttachment("The attachment data is not valid base64.");
            }
            throw e;
        }
    }
}
