package dev.airlock.console.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.console.view.AccountPages;
import io.nayuki.qrcodegen.QrCode;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The TOTP QR code: the SVG path account.jte draws holds exactly the dark modules of the encoded otpauth URL. */
class QrSvgTest {
    static final String URL = "otpauth://totp/Airlock:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Airlock";

    @Test
    void drawsEveryDarkModuleAndNothingElse() {
        AccountPages.Qr svg = QrSvg.of(URL);
        QrCode qr = QrCode.encodeText(URL, QrCode.Ecc.MEDIUM);
        assertThat(svg.side()).isEqualTo(qr.size + 8);
        assertThat(svg.pixels()).isEqualTo((qr.size + 8) * 5);
        String d = svg.d();
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
