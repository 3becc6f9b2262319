package dev.airlock.notifications;

import dev.airlock.platform.config.NotificationsConfig.Smtp;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Date;
import java.util.Properties;
import org.simplejavamail.utils.mail.dkim.Canonicalization;
import org.simplejavamail.utils.mail.dkim.DkimMessage;
import org.simplejavamail.utils.mail.dkim.DkimSigner;

/**
 * Sends plain-text mail through the configured SMTP server with Jakarta Mail (Eclipse Angus): STARTTLS as configured
 * (required by default, so nothing goes out in clear), DKIM-signed (rsa-sha256, relaxed/relaxed) when a key is
 * configured.
 */
final class MailSender {
    private final Smtp smtp;
    private final Session session;
    private final RSAPrivateKey dkimKey;

    MailSender(Smtp smtp) {
        this.smtp = smtp;
        Properties p = new Properties();
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", String.valueOf(smtp.port()));
        p.put("mail.smtp.starttls.enable", String.valueOf(!smtp.starttls().equals("off")));
        p.put("mail.smtp.starttls.required", String.valueOf(smtp.starttls().equals("required")));
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        if (!smtp.caFile().isEmpty()) {
            // STARTTLS to a server whose certificate a private CA signed (the host name is still checked)
            p.put("mail.smtp.ssl.socketFactory", caTrust(Path.of(smtp.caFile())));
        }
        p.put("mail.smtp.auth", String.valueOf(!smtp.username().isEmpty()));
        String ms = String.valueOf(smtp.timeoutSeconds() * 1000L);
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        this.session = Session.getInstance(p);
        this.dkimKey = smtp.dkim() ? readKey(Path.of(smtp.dkimKeyFile())) : null;
    }

    void send(String to, String subject, String text, String kind) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(smtp.from(), true));
        m.setRecipient(RecipientType.TO, new InternetAddress(to, true));
        m.setSubject(subject, "UTF-8");
        m.setSentDate(new Date());
        m.setHeader("Auto-Submitted", "auto-generated");
        m.setHeader("X-Airlock-Kind", kind);
        m.setText(text, "UTF-8");
        m.saveChanges();
        MimeMessage out = m;
        if (dkimKey != null) {
            DkimSigner signer = new DkimSigner(smtp.dkimDomain(), smtp.dkimSelector(), dkimKey);
            signer.setCheckDomainKey(false);
            signer.setHeaderCanonicalization(Canonicalization.RELAXED);
            signer.setBodyCanonicalization(Canonicalization.RELAXED);
            signer.setIdentity("@" + smtp.dkimDomain());
            out = new DkimMessage(m, signer);
        }
        if (smtp.username().isEmpty()) {
            Transport.send(out);
        } else {
            Transport.send(out, smtp.username(), smtp.password());
        }
    }

    private static javax.net.ssl.SSLSocketFactory caTrust(Path caFile) {
        try {
            return dev.airlock.platform.crypto.TrustedCas.socketFactory(caFile);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "notifications.smtp.caFile: cannot use " + caFile + " ("
                            + e.getMessage() + "); give a PEM file with the certificate of the CA that signed the mail"
                            + " server's",
                    e);
        }
    }

    /** An RSA private key in PKCS#8 PEM ("BEGIN PRIVATE KEY"), as {@code openssl genpkey} writes it. */
    static RSAPrivateKey readKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "notifications.dkim.privateKeyFile: cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalArgumentException("notifications.dkim.privateKeyFile " + file + " is not a PKCS#8 PEM"
                    + " key (BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            return (RSAPrivateKey) KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException(
                    "notifications.dkim.privateKeyFile " + file + " is not an RSA private key: " + e.getMessage(), e);
        }
    }
}
