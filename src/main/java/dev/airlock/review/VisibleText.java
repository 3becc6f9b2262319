package dev.airlock.review;

import java.lang.Character.UnicodeScript;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Display forms for strings a reviewer reads (file names, dependency names, scripts, diff lines): a code point that
 * would not show as what it is becomes {@code ⟪U+202E⟫}. Hidden: bidi controls, zero-width and other format
 * characters, controls, separators other than the ASCII space, private-use and unassigned code points, variation
 * selectors, blank letters such as U+3164. Look-alike (names only): compatibility forms of ASCII (fullwidth, math
 * letters), punctuation that passes for {@code / . - :}, and letters of another script that look like Latin ones when
 * they sit in a word with Latin letters or make up a whole word of look-alikes (UTS #39 style). The brackets ⟪ ⟫
 * themselves are always escaped, so the display form is unambiguous.
 */
final class VisibleText {
    static final int OPEN = 0x27EA;
    static final int CLOSE = 0x27EB;
    /** Letters that look like ASCII letters: Cyrillic, Greek, Armenian, Cherokee, a few Latin ones. */
    private static final String LOOK_ALIKE_LETTERS =
            "\u0430\u0432\u0435\u043A\u043C\u043D\u043E\u0440\u0441\u0442\u0443"
                    + "\u0445\u0455\u0456\u0458\u04BB\u04CF\u0501\u051B\u051D\u0410\u0412\u0415\u041A\u041C\u041D\u041E\u0420\u0421"
                    + "\u0422\u0425\u0405\u0406\u0408\u04AE\u051A\u051C\u03B1\u03B9\u03BD\u03BF\u03C1\u03C5\u0391\u0392\u0395\u0396"
                    + "\u0397\u0399\u039A\u039C\u039D\u039F\u03A1\u03A4\u03A5\u03A7\u0570\u0578\u057D\u0581\u0585\u0566\u0131\u0237"
                    + "\u0251\u0261\u0269\u13A2\u13AA\u13AB\u13AC\u13B3\u13B7\u13BB\u13DA\u13DE\u13DF\u13E2\u13E6\u13F4";
    /** Punctuation that passes for a slash, a dot, a hyphen or a colon in a path or a command. */
    private static final String LOOK_ALIKE_PUNCTUATION = "\u2215\u2044\u29F8\u2024\u0701\u0702\uA60E\u2010\u2011\u2012"
            + "\u2013\u2014\u2015\u2212\u02D7\u0589\u05C3\u2236\uA789";
    /** Letters and symbols that render blank. */
    private static final String BLANK =
            "\u034F\u115F\u1160\u17B4\u17B5\u180B\u180C\u180D\u180E\u180F\u2800\u3164\uFFA0\uFFFC";
    /** Scripts that may mix with Latin in one word without looking like it (UTS #39 highly restrictive). */
    private static final Set<UnicodeScript> MIX_WITH_LATIN = EnumSet.of(
            UnicodeScript.LATIN,
            UnicodeScript.COMMON,
            UnicodeScript.INHERITED,
            UnicodeScript.HAN,
            UnicodeScript.HIRAGANA,
            UnicodeScript.KATAKANA,
            UnicodeScript.HANGUL,
            UnicodeScript.BOPOMOFO);

    /** A display form and what was escaped in it, each as "U+202E RIGHT-TO-LEFT OVERRIDE". */
    record Shown(String display, List<String> hidden, List<String> lookAlike) {
        boolean marked() {
            return !hidden.isEmpty() || !lookAlike.isEmpty();
        }

        /** "hidden characters (U+202E RIGHT-TO-LEFT OVERRIDE)" and/or "look-alike characters (…)". */
        String findings() {
            List<String> parts = new ArrayList<>();
            if (!hidden.isEmpty()) {
                parts.add("hidden characters (" + String.join(", ", hidden) + ")");
            }
            if (!lookAlike.isEmpty()) {
                parts.add("look-alike characters (" + String.join(", ", lookAlike) + ")");
            }
            return String.join(" and ", parts);
        }
    }

    private VisibleText() {}

    /** A name or a command: hidden and look-alike characters escaped. */
    static Shown name(String raw) {
        int[] cps = raw.codePoints().toArray();
        boolean[] alike = lookAlikes(cps);
        StringBuilder b = new StringBuilder(raw.length());
        List<String> hidden = new ArrayList<>();
        List<String> lookAlike = new ArrayList<>();
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            if (hidden(cp)) {
                hidden.add(describe(cp));
                escape(b, cp);
            } else if (alike[i]) {
                lookAlike.add(describe(cp));
                escape(b, cp);
            } else if (cp == OPEN || cp == CLOSE) {
                escape(b, cp);
            } else {
                b.appendCodePoint(cp);
            }
        }
        return new Shown(b.toString(), List.copyOf(hidden), List.copyOf(lookAlike));
    }

    /** Shorthand for {@code name(raw).display()}; null stays null. */
    static String show(String raw) {
        return raw == null ? null : name(raw).display();
    }

    /** A line of file content: hidden characters escaped except tabs; letters of any script are left alone. */
    static String content(String line) {
        StringBuilder b = null;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            boolean esc = cp != '\t' && (hidden(cp) && !(cp >= 0xFE00 && cp <= 0xFE0F) || cp == OPEN || cp == CLOSE);
            if (esc && b == null) {
                b = new StringBuilder(line.length() + 16).append(line, 0, i);
            }
            if (esc) {
                escape(b, cp);
            } else if (b != null) {
                b.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return b == null ? line : b.toString();
    }

    /** Bidi embeddings, overrides and isolates: the controls that reorder source code (Trojan Source). */
    static boolean bidiControl(int cp) {
        return cp >= 0x202A && cp <= 0x202E || cp >= 0x2066 && cp <= 0x2069;
    }

    static boolean hidden(int cp) {
        int t = Character.getType(cp);
        return t == Character.CONTROL
                || t == Character.FORMAT
                || t == Character.PRIVATE_USE
                || t == Character.UNASSIGNED
                || t == Character.SURROGATE
                || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR
                || t == Character.SPACE_SEPARATOR && cp != ' '
                || cp >= 0xFE00 && cp <= 0xFE0F
                || cp >= 0xE0100 && cp <= 0xE01EF
                || BLANK.indexOf(cp) >= 0;
    }

    private static boolean[] lookAlikes(int[] cps) {
        boolean[] out = new boolean[cps.length];
        int i = 0;
        while (i < cps.length) {
            if (wordPart(cps[i])) {
                int end = i;
                while (end < cps.length && wordPart(cps[end])) {
                    end++;
                }
                word(cps, i, end, out);
                i = end;
            } else {
                out[i] = compatibilityAscii(cps[i]) || LOOK_ALIKE_PUNCTUATION.indexOf(cps[i]) >= 0;
                i++;
            }
        }
        return out;
    }

    private static void word(int[] cps, int start, int end, boolean[] out) {
        boolean asciiLetter = false;
        boolean latin = false;
        boolean allLookAlike = true;
        for (int i = start; i < end; i++) {
            int cp = cps[i];
            asciiLetter |= cp < 128 && Character.isLetter(cp);
            latin |= Character.isLetter(cp) && UnicodeScript.of(cp) == UnicodeScript.LATIN;
            allLookAlike &= !Character.isLetter(cp) || LOOK_ALIKE_LETTERS.indexOf(cp) >= 0;
        }
        for (int i = start; i < end; i++) {
            int cp = cps[i];
            boolean alike = LOOK_ALIKE_LETTERS.indexOf(cp) >= 0 && (asciiLetter || allLookAlike);
            boolean mixed = latin && Character.isLetter(cp) && !MIX_WITH_LATIN.contains(UnicodeScript.of(cp));
            out[i] = cp >= 128 && (alike || mixed || compatibilityAscii(cp));
        }
    }

    private static boolean wordPart(int cp) {
        int t = Character.getType(cp);
        return Character.isLetterOrDigit(cp)
                || t == Character.NON_SPACING_MARK
                || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK;
    }

    /** Fullwidth letters, mathematical alphanumerics, ligatures and the like: NFKC turns them into plain ASCII. */
    private static boolean compatibilityAscii(int cp) {
        if (cp < 128) {
            return false;
        }
        String n = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKC);
        return n.chars().allMatch(c -> c > 32 && c < 127);
    }

    private static void escape(StringBuilder b, int cp) {
        b.append('\u27EA').append(String.format(Locale.ROOT, "U+%04X", cp)).append('\u27EB');
    }

    private static String describe(int cp) {
        String name = Character.getName(cp);
        return String.format(Locale.ROOT, "U+%04X", cp) + (name == null ? "" : " " + name);
    }
}
