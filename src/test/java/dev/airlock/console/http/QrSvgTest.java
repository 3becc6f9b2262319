package dev.airlock.console.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.nayuki.qrcodegen.QrCode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** The TOTP QR code: well-formed inline SVG with exactly the dark modules of the encoded otpauth URL, nothing the CSP blocks. */
class QrSvgTest {
    static final String URL = "otpauth://totp/Airlock:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Airlock";

    @Test
    void drawsEveryDarkModuleAndNothingElse() throws Exception {
        String svg = QrSvg.svg("totp-qr", URL, "QR code <of> the key");
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getAttribute("id")).isEqualTo("totp-qr");
        assertThat(root.getAttribute("aria-label")).isEqualTo("QR code <of> the key");
        assertThat(svg).doesNotContain("style").doesNotContain("script").doesNotContain("href").doesNotContain("data:");

        QrCode qr = QrCode.encodeText(URL, QrCode.Ecc.MEDIUM);
        assertThat(root.getAttribute("viewBox")).isEqualTo("0 0 " + (qr.size + 8) + " " + (qr.size + 8));
        String d = ((Element) root.getElementsByTagName("path").item(0)).getAttribute("d");
        Set<String> drawn = new HashSet<>();
        Matcher m = Pattern.compile("M(\\d+),(\\d+)h1v1h-1z").matcher(d);
        while (m.find()) {
            drawn.add((Integer.parseInt(m.group(1)) - 4) + "," + (Integer.parseInt(m.group(2)) - 4));
        }
        Set<String> dark = new HashSet<>();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    dark.add(x + "," + y);
                }
            }
        }
        assertThat(drawn).isEqualTo(dark);
        assertThat(d.replaceAll("M\\d+,\\d+h1v1h-1z", "").trim()).isEmpty();
    }
}
