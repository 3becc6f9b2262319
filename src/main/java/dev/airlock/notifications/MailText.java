package dev.airlock.notifications;

/**
 * The text of a notification mail: the message, then what every Airlock mail says. Mail never carries a link or a
 * code that approves anything: approval happens only in the console, after signing in with a second factor. The
 * recipient's own anti-phishing phrase shows the mail is genuine; without one, the mail says how to set it.
 */
final class MailText {
    private MailText() {}

    static String compose(Message m, String phrase, String consoleUrl) {
        StringBuilder text = new StringBuilder();
        text.append(m.body().strip()).append("\n\n-- \n");
        if (phrase != null) {
            text.append("Your anti-phishing phrase: ").append(phrase).append('\n');
            text.append("Every mail from Airlock carries it. A mail that claims to come from Airlock without it is"
                    + " forged: do not act on it.\n\n");
        } else {
            text.append("You have not set an anti-phishing phrase. Set one on your account page in the Airlock"
                    + " console (Account, \"Anti-phishing phrase\"): every mail from Airlock will then carry it, so a"
                    + " forged one is easy to recognise.\n\n");
        }
        text.append("Airlock never asks you to approve or confirm a release by mail, and this mail contains no link"
                        + " or code that approves anything. Approval happens only in the Airlock console, after you sign in"
                        + " with your second factor. Open the console the way you always do (")
                .append(consoleUrl)
                .append("), not from a link in a mail.\n");
        return text.toString();
    }
}
