package dev.airlock.console.view;

import dev.airlock.staging.Stage;
import dev.airlock.staging.StageState;
import java.util.List;

/** Models of the staged-release pages: the list (with each release's risk), the review page, and its decision. */
public final class StagePages {
    private StagePages() {}

    /** A row of "staged releases waiting for you": the stage, approvals so far, and its signals counted by level. */
    public record Row(Stage stage, int approvals, long high, long medium) {
        public String risk() {
            return ReviewView.risk(high, medium);
        }
    }

    public record Listing(List<Row> rows) {}

    /** A label and a value (who staged it, CI facts). */
    public record Fact(String label, String value) {}

    /** An identity provider that can confirm the decision ("Confirm with " + label). */
    public record Idp(String name, String label) {}

    /**
     * The review page. {@code review} is null once the stage is decided; the key buttons are null for a user
     * without a key; {@code showOtp} says whether the one-time-password field is offered; {@code idpConfirmed} is
     * the decision ("approve" or "reject") a re-authentication at the identity provider confirmed in this browser,
     * or null.
     */
    public record Review(
            Stage stage,
            int approvals,
            String done,
            ReviewView review,
            List<Fact> stagedBy,
            boolean showOtp,
            KeyButton approveKey,
            KeyButton rejectKey,
            List<Idp> idps,
            String idpConfirmed) {
        public boolean pending() {
            return stage.status() == StageState.PENDING;
        }
    }
}
