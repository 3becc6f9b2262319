package dev.airlock.platform.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodyTreeTest {
    static JsonNode read(String json) throws IOException {
        return BodyTree.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aTarballAttachmentArrivesDecodedAndEverythingElseAsJacksonReadsIt() throws IOException {
        byte[] tgz = new byte[200_000];
        new Random(1).nextBytes(tgz);
        String body =
                "{\"name\":\"p\",\"versions\":{\"1.0.0\":{\"n\":1.5,\"big\":12345678901234,\"_attachments\":{\"x.tgz\":{\"data\":\"QUJD\"}}}},"
                        + "\"_attachments\":{\"p-1.0.0.tgz\":{\"content_type\":\"application/octet-stream\",\"data\":\""
                        + Base64.getEncoder().encodeToString(tgz) + "\",\"length\":" + tgz.length + "},"
                        + "\"p-1.0.0.sigstore\":{\"data\":\"{\\\"mediaType\\\":\\\"bundle\\\"}\"}},\"access\":null}";
        JsonNode tree = read(body);
        JsonNode attachment = tree.path("_attachments").path("p-1.0.0.tgz");
        assertThat(attachment.get("data").isBinary()).isTrue();
        assertThat(attachment.get("data").binaryValue()).isEqualTo(tgz);
        assertThat(attachment.get("length").asInt()).isEqualTo(tgz.length);
        assertThat(attachment.get("content_type").asText()).isEqualTo("application/octet-stream");
        // provenance bundles are JSON text, not base64; _attachments anywhere but the top level is plain data
        assertThat(tree.path("_attachments")
                        .path("p-1.0.0.sigstore")
                        .get("data")
                        .asText())
                .isEqualTo("{\"mediaType\":\"bundle\"}");
        assertThat(tree.path("versions")
                        .path("1.0.0")
                        .path("_attachments")
                        .path("x.tgz")
                        .get("data")
                        .isTextual())
                .isTrue();
        assertThat(tree.path("versions").path("1.0.0").get("big").asLong()).isEqualTo(12345678901234L);
        assertThat(tree.path("versions").path("1.0.0").get("n").asDouble()).isEqualTo(1.5);
        assertThat(tree.get("access").isNull()).isTrue();
        // the same tree Jackson would build, but for the decoded data
        JsonNode plain = Json.MAPPER.readTree(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        plain.path("_attachments").path("p-1.0.0.tgz"))
                .put("data", tgz);
        assertThat(tree).isEqualTo(plain);
    }

    @Test
    void aLargeTarballIsSpooledToDiskAndTheRestStaysInMemory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        byte[] big = new byte[BodyTree.IN_MEMORY + 1];
        new Random(2).nextBytes(big);
        String body = "{\"_attachments\":{\"big.tgz\":{\"data\":\""
                + Base64.getEncoder().encodeToString(big) + "\"}," + "\"small.tgz\":{\"data\":\"QUJD\"}}}";
        java.util.List<dev.airlock.platform.io.Spool> spools = new java.util.ArrayList<>();
        JsonNode tree = BodyTree.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), dir, spools);
        assertThat(tree.at("/_attachments/small.tgz/data").binaryValue()).containsExactly('A', 'B', 'C');
        JsonNode data = tree.at("/_attachments/big.tgz/data");
        assertThat(data).isInstanceOf(com.fasterxml.jackson.databind.node.POJONode.class);
        dev.airlock.platform.io.Spool spool =
                (dev.airlock.platform.io.Spool) ((com.fasterxml.jackson.databind.node.POJONode) data).getPojo();
        assertThat(spools).containsExactly(spool);
        assertThat(spool.inMemory()).isFalse();
        assertThat(spool.open().readAllBytes()).isEqualTo(big);
        spool.close();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void paddingIsOptionalButNotBase64IsRefused() throws IOException {
        assertThat(read("{\"_attachments\":{\"a.tgz\":{\"data\":\"QUI\"}}}")
                        .at("/_attachments/a.tgz/data")
                        .binaryValue())
                .isEqualTo("AB".getBytes(StandardCharsets.US_ASCII));
        assertThat(read("{\"_attachments\":{\"a.tgz\":{\"data\":\"\"}}}")
                        .at("/_attachments/a.tgz/data")
                        .binaryValue())
                .isEmpty();
        for (String bad : new String[] {"!!not*base64!!", "QUJD$", "QU\\u00e9JD"}) {
            assertThatThrownBy(() -> read("{\"_attachments\":{\"a.tgz\":{\"data\":\"" + bad + "\"}}}"))
                    .as(bad)
                    .isInstanceOf(BodyTree.BadAttachment.class)
                    .hasMessage("The attachment data is not valid base64.");
        }
        // a data field that is not a string is left as it is (the publish then says it has no data)
        assertThat(read("{\"_attachments\":{\"a.tgz\":{\"data\":7}}}")
                        .at("/_attachments/a.tgz/data")
                        .isInt())
                .isTrue();
    }

    @Test
    void malformedBodiesAreRefusedAsJacksonRefusesThem() throws IOException {
        assertThat(read("").isMissingNode()).isTrue();
        assertThat(read("[1,2]").isArray()).isTrue();
        assertThat(read("\"text\"").isTextual()).isTrue();
        for (String bad : new String[] {
            "{\"a\":1,\"a\":2}",
            "{\"_attachments\":{\"a.tgz\":{\"data\":\"QUJD\",\"data\":\"QUJD\"}}}",
            "{\"_attachments\":{\"a.tgz\":{},\"a.tgz\":{}}}",
            "{\"a\":{\"b\":1,\"b\":2}}",
            "{\"a\":1} {}",
            "{\"a\":1",
            "{\"_attachments\":{\"a.tgz\":{\"data\":\"QUJD",
            "{\"a\" 1}",
            "{1:2}"
        }) {
            assertThatThrownBy(() -> read(bad)).as(bad).isInstanceOf(JsonProcessingException.class);
        }
    }
}
