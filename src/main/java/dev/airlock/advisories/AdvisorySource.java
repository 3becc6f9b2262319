package dev.airlock.advisories;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/** A registry that answers npm's bulk advisory request: the upstream, asked about names that are not local. */
public interface AdvisorySource {
    /** The upstream did not answer usefully (unreachable, too slow, an error status, not JSON). */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Its URL, for logs and headers. */
    String describe();

    /** Its answer to {@code {name: [versions]}}: name → array of advisories, as npm's registry answers. */
    ObjectNode bulk(Map<String, List<String>> request);
}
