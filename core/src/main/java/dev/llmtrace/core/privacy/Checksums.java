package dev.llmtrace.core.privacy;

import java.math.BigInteger;

/**
 * The checks that tell a real card number, IBAN, IP address, phone number or SSN from digits that only look like
 * one (Luhn, mod-97, ranges), as Presidio validates its matches: order ids and timestamps are not masked.
 */
final class Checksums {
    private Checksums() {}

    static String digitsOf(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                b.append(s.charAt(i));
            }
        }
        return b.toString();
    }

    static boolean phoneDigits(String m) {
        int n = digitsOf(m).length();
        return m.startsWith("+") ? n >= 8 && n <= 15 : n >= 10 && n <= 13;
    }

    static boolean card(String m) {
        String d = digitsOf(m);
        if (d.length() < 13 || d.length() > 19 || d.chars().distinct().count() == 1) {
            return false;
        }
        boolean knownNetwork = d.startsWith("4") || d.matches("5[1-5].*") || d.matches("2(2[2-9]|[3-6][0-9]|7[01]|720).*")
                || d.startsWith("34") || d.startsWith("37") || d.startsWith("6011") || d.startsWith("65") || d.matches("64[4-9].*")
                || d.startsWith("35") || d.startsWith("36") || d.startsWith("38") || d.startsWith("30") || d.startsWith("62");
        return knownNetwork && luhn(d);
    }

    static boolean luhn(String digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int d = digits.charAt(i) - '0';
            if (twice) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    static boolean iban(String s) {
        if (s.length() < 15 || s.length() > 34) {
            return false;
        }
        String rearranged = s.substring(4) + s.substring(0, 4);
        StringBuilder numeric = new StringBuilder();
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            numeric.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
        }
        return new BigInteger(numeric.toString()).mod(BigInteger.valueOf(97)).intValue() == 1;
    }

    static boolean ipv4(String m) {
        String[] parts = m.split("\\.");
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean ipv6(String m) {
        if (m.length() < 3 || m.equals("::")) {
            return false;
        }
        String s = m;
        int ipv4Groups = 0;
        int lastColon = s.lastIndexOf(':');
        if (s.indexOf('.') > 0) { // ::ffff:192.0.2.1
            if (!ipv4(s.substring(lastColon + 1))) {
                return false;
            }
            s = s.substring(0, lastColon + 1) + "0:0";
            ipv4Groups = 0;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return false;
        }
        String[] halves = doubleColon >= 0 ? new String[] {s.substring(0, doubleColon), s.substring(doubleColon + 2)} : new String[] {s};
        int groups = 0;
        for (String half : halves) {
            if (half.isEmpty()) {
                continue;
            }
            for (String g : half.split(":", -1)) {
                if (g.isEmpty() || g.length() > 4) {
                    return false;
                }
                for (int i = 0; i < g.length(); i++) {
                    if (Character.digit(g.charAt(i), 16) < 0) {
                        return false;
                    }
                }
                groups++;
            }
        }
        groups += ipv4Groups;
        return doubleColon >= 0 ? groups >= 1 && groups <= 7 : groups == 8;
    }

    static boolean ssn(String m) {
        int area = Integer.parseInt(m.substring(0, 3));
        int group = Integer.parseInt(m.substring(4, 6));
        int serial = Integer.parseInt(m.substring(7));
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
    }
}
