package dev.airlock.console.http;

import dev.airlock.console.view.AccountPages;
import io.nayuki.qrcodegen.QrCode;

/**
 * A QR code as the data of an inline SVG element (drawn by account.jte): one path of dark modules on a white
 * square, colours as {@code fill} attributes. No script, no {@code style} attribute, no image URL, so it renders
 * under the console's strict CSP.
 */
final class QrSvg {
    private static final int BORDER = 4;
    private static final int PIXELS_PER_MODULE = 5;

    private QrSvg() {}

    static AccountPages.Qr of(String text) {
        QrCode qr = QrCode.encodeText(text, QrCode.Ecc.MEDIUM);
        int side = qr.size + 2 * BORDER;
        StringBuilder d = new StringBuilder();
        for (int y = 0; y < qr.size; y++) {
            for (int x = 0; x < qr.size; x++) {
                if (qr.getModule(x, y)) {
                    d.append(d.length() == 0 ? "" : " ")
                            .append('M')
                            .append(x + BORDER)
                            .append(',')
                            .append(y + BORDER)
                            .append("h1v1h-1z");
                }
            }
        }
        return new AccountPages.Qr(side, side * PIXELS_PER_MODULE, d.toString());
    }
}
