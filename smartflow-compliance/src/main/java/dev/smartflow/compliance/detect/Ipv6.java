package dev.smartflow.compliance.detect;

/** RFC 4291's text forms of an IPv6 address: eight groups, or fewer around one {@code ::}, an IPv4 tail allowed. */
final class Ipv6 {
    private Ipv6() {
    }

    static boolean valid(String text, int start, int end) {
        int groups = 0;
        int hexDigits = 0;
        boolean compressed = false;
        int i = start;
        if (text.startsWith("::", i)) {
            compressed = true;
            i += 2;
        }
        while (i < end) {
            int groupEnd = i;
            while (groupEnd < end && isHex(text.charAt(groupEnd))) {
                groupEnd++;
            }
            if (groupEnd < end && text.charAt(groupEnd) == '.') {
                // the last 32 bits written as IPv4
                if (!ipv4(text, i, end)) {
                    return false;
                }
                groups += 2;
                hexDigits += 4;
                i = end;
                break;
            }
            int length = groupEnd - i;
            if (length == 0 || length > 4) {
                return false;
            }
            groups++;
            hexDigits += length;
            i = groupEnd;
            if (i == end) {
                break;
            }
            // a colon, or the one "::"
            if (text.startsWith("::", i)) {
                if (compressed) {
                    return false;
                }
                compressed = true;
                i += 2;
            } else {
                i++;
                if (i == end) {
                    return false;
                }
            }
        }
        if (compressed) {
            // "a::b" in code is no address: ask for at least two groups and four hex digits
            return groups >= 2 && groups <= 7 && hexDigits >= 4;
        }
        return groups == 8;
    }

    private static boolean ipv4(String text, int start, int end) {
        int parts = 0;
        int i = start;
        while (i <= end) {
            int value = 0;
            int digits = 0;
            while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + (text.charAt(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 3 || value > 255) {
                return false;
            }
            parts++;
            if (i == end) {
                break;
            }
            if (text.charAt(i) != '.') {
                return false;
            }
            i++;
        }
        return parts == 4;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
