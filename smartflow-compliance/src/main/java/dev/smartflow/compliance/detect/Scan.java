package dev.smartflow.compliance.detect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pass of a {@link Detector} over one text: not thread-safe, used once.
 *
 * <p>The pass looks at each character once to decide whether a candidate starts there, and skips words, spaces and
 * punctuation otherwise. A candidate is cut out by hand (number spans, e-mail addresses, IPv6 tokens, prefixed secrets)
 * and handed to its validators; a number span is classified as a whole first and, when nothing claims it, in pieces
 * split at its spaces, so that two numbers separated by one space are both seen.
 */
final class Scan {
    /** A number span stops after this many digit groups; the rest is scanned as a new span. */
    private static final int MAX_GROUPS = 12;
    private static final int MAX_DIGITS = 40;

    private static final int SPACE = 1;
    private static final int DASH = 2;
    private static final int DOT = 3;
    private static final int SLASH = 4;
    private static final int MIXED = 5;

    private static final String MONTHS = "(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?";
    /** A day and month written out before a year: "March 3, " or "3rd of March ". Applied to a few chars only. */
    private static final Pattern MONTH_BEFORE_YEAR = Pattern.compile("(?i)(?:\\b" + MONTHS
            + "\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTHS + ",?\\s+)$");

    private final String text;
    private final int n;
    private final long enabled;
    private final PhoneNumbers phones;
    private final List<Finding> found = new ArrayList<>(4);

    // the number span being classified
    private final int[] groupStart = new int[MAX_GROUPS];
    private final int[] groupEnd = new int[MAX_GROUPS];
    private final int[] separator = new int[MAX_GROUPS];
    private final char[] digits = new char[MAX_DIGITS];
    private int groups;
    private int spanStart;
    private boolean plus;
    private boolean paren;

    Scan(String text, long enabled, PhoneNumbers phones) {
        this.text = text;
        this.n = text.length();
        this.enabled = enabled;
        this.phones = phones;
    }

    List<Finding> run() {
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c >= 'a' && c <= 'z') {
                i = lowerWord(i);
            } else if (c >= '0' && c <= '9') {
                i = number(i);
            } else if (c >= 'A' && c <= 'Z') {
                i = upperWord(i);
            } else {
                i = switch (c) {
                    case '@' -> email(i);
                    case ':' -> ipv6(i);
                    case '+', '(' -> i + 1 < n && isDigit(text.charAt(i + 1)) ? number(i) : i + 1;
                    case '-' -> privateKey(i);
                    default -> i + 1;
                };
            }
        }
        return Detector.resolve(found);
    }

    private boolean on(EntityType type) {
        return (enabled & (1L << type.ordinal())) != 0;
    }

    private void emit(EntityType type, int start, int end, double score) {
        if (on(type)) {
            found.add(new Finding(type, start, end, Math.min(1.0, score)));
        }
    }

    // --- words: secrets and the shapes that start with a letter

    private int lowerWord(int i) {
        if (wordStart(i)) {
            char c = text.charAt(i);
            int end = -1;
            if (c == 's' && text.startsWith("sk-", i)) {
                end = apiKey(i);
            } else if (c == 'g') {
                end = githubToken(i);
            } else if (c == 'e' && text.startsWith("eyJ", i)) {
                end = jwt(i);
            }
            if (end > 0) {
                return end;
            }
        }
        return skipWord(i);
    }

    private int upperWord(int i) {
        if (wordStart(i) && i + 3 < n) {
            char c1 = text.charAt(i + 1);
            char c2 = text.charAt(i + 2);
            char c3 = text.charAt(i + 3);
            int end = -1;
            if (isUpper(c1) && isDigit(c2) && isDigit(c3)) {
                end = iban(i);
            } else if (c1 == 'K' || c1 == 'S' || c1 == 'B' || c1 == 'C') {
                end = awsKey(i);
            }
            if (end < 0) {
                end = letteredId(i);
            }
            if (end > 0) {
                return end;
            }
        }
        return skipWord(i);
    }

    /** {@code sk-} and at least 20 key characters, two of them digits: OpenAI, Anthropic and our own keys. */
    private int apiKey(int i) {
        int j = i + 3;
        int digitCount = 0;
        while (j < n && isKeyChar(text.charAt(j))) {
            if (isDigit(text.charAt(j))) {
                digitCount++;
            }
            j++;
        }
        if (j - i - 3 >= 20 && digitCount >= 2) {
            emit(EntityType.API_KEY, i, j, 0.95);
            return j;
        }
        return -1;
    }

    /** {@code ghp_}, {@code gho_}, {@code ghu_}, {@code ghs_}, {@code ghr_} and 36 or more; {@code github_pat_}. */
    private int githubToken(int i) {
        int body;
        if (i + 4 < n && text.charAt(i + 1) == 'h' && "pousr".indexOf(text.charAt(i + 2)) >= 0
                && text.charAt(i + 3) == '_') {
            body = i + 4;
        } else if (text.startsWith("github_pat_", i)) {
            body = i + 11;
        } else {
            return -1;
        }
        int j = body;
        while (j < n && (isAlnum(text.charAt(j)) || text.charAt(j) == '_')) {
            j++;
        }
        if (j - body >= (body == i + 4 ? 36 : 22) && j - body <= 255) {
            emit(EntityType.GITHUB_TOKEN, i, j, 0.99);
            return j;
        }
        return -1;
    }

    /** Three base64url segments, the first two JSON objects ({@code eyJ} is {@code {"}), the header naming alg. */
    private int jwt(int i) {
        int dot1 = base64Run(i);
        if (dot1 >= n || text.charAt(dot1) != '.' || !text.startsWith("eyJ", dot1 + 1)) {
            return -1;
        }
        int dot2 = base64Run(dot1 + 1);
        if (dot2 >= n || text.charAt(dot2) != '.') {
            return -1;
        }
        int end = base64Run(dot2 + 1);
        if (end - dot2 - 1 < 8 || (end < n && isAlnum(text.charAt(end)))) {
            return -1;
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(text.substring(i, dot1)),
                    StandardCharsets.UTF_8);
            if (!header.startsWith("{") || !header.contains("\"alg\"")) {
                return -1;
            }
        } catch (IllegalArgumentException e) {
            return -1;
        }
        emit(EntityType.JWT, i, end, 0.95);
        return end;
    }

    private int base64Run(int from) {
        int j = from;
        while (j < n && (isAlnum(text.charAt(j)) || text.charAt(j) == '-' || text.charAt(j) == '_')) {
            j++;
        }
        return j;
    }

    /** {@code AKIA}, {@code ASIA}, {@code ABIA} or {@code ACCA} and 16 upper-case letters and digits. */
    private int awsKey(int i) {
        if (!(text.startsWith("AKIA", i) || text.startsWith("ASIA", i) || text.startsWith("ABIA", i)
                || text.startsWith("ACCA", i)) || i + 20 > n) {
            return -1;
        }
        for (int j = i + 4; j < i + 20; j++) {
            char c = text.charAt(j);
            if (!(isUpper(c) || isDigit(c))) {
                return -1;
            }
        }
        if (i + 20 < n && isWordChar(text.charAt(i + 20))) {
            return -1;
        }
        emit(EntityType.AWS_ACCESS_KEY, i, i + 20, 0.95);
        return i + 20;
    }

    /**
     * An IBAN: a country with IBANs, two check digits, the country's length of letters and digits, printed in groups
     * of four or run together, and mod 97 equal to 1.
     */
    private int iban(int i) {
        int length = Checksums.ibanLength(text.charAt(i), text.charAt(i + 1));
        if (length == 0 || !on(EntityType.IBAN)) {
            return -1;
        }
        char[] chars = new char[length];
        int count = 0;
        int j = i;
        while (count < length && j < n) {
            char c = text.charAt(j);
            if (isUpper(c) || isDigit(c)) {
                chars[count++] = c;
                j++;
            } else if (c == ' ' && count % 4 == 0 && j + 1 < n && (isUpper(text.charAt(j + 1))
                    || isDigit(text.charAt(j + 1)))) {
                j++;
            } else {
                break;
            }
        }
        if (count != length || (j < n && isWordChar(text.charAt(j)))) {
            return -1;
        }
        if (!Checksums.ibanValid(chars, length)) {
            // an IBAN with a wrong digit: its digit groups are no card or phone number either
            return j;
        }
        ContextWords.Verdict context = ContextWords.around(text, i, j);
        emit(EntityType.IBAN, i, j, context.supports(EntityType.IBAN) ? 1.0 : 0.95);
        return j;
    }

    /** One to three capitals and five to nine digits: a passport or medical record number, if a word says so. */
    private int letteredId(int i) {
        if (!on(EntityType.PASSPORT) && !on(EntityType.MRN)) {
            return -1;
        }
        int j = i;
        while (j < n && j - i < 3 && isUpper(text.charAt(j))) {
            j++;
        }
        int digitsFrom = j;
        while (j < n && isDigit(text.charAt(j))) {
            j++;
        }
        int digitCount = j - digitsFrom;
        if (digitCount < 5 || digitCount > 9 || (j < n && isWordChar(text.charAt(j)))) {
            return -1;
        }
        ContextWords.Verdict context = ContextWords.around(text, i, j);
        if (context.supports(EntityType.PASSPORT) && j - i >= 8) {
            emit(EntityType.PASSPORT, i, j, 0.8);
            return j;
        }
        if (context.supports(EntityType.MRN)) {
            emit(EntityType.MRN, i, j, 0.8);
            return j;
        }
        return -1;
    }

    // --- e-mail

    private int email(int at) {
        if (!on(EntityType.EMAIL)) {
            return at + 1;
        }
        int start = at;
        while (start > 0 && at - start < 64 && isLocalChar(text.charAt(start - 1))) {
            start--;
        }
        while (start < at && text.charAt(start) == '.') {
            start++;
        }
        if (start == at || text.charAt(at - 1) == '.' || text.startsWith("..", start)
                || text.substring(start, at).contains("..")) {
            return at + 1;
        }
        // the domain: labels of letters, digits and inner hyphens, two or more, the last all letters
        int j = at + 1;
        int labels = 0;
        int lastLabelStart = j;
        boolean lastAllLetters = false;
        while (j < n && j - at < 255) {
            int labelStart = j;
            boolean letters = true;
            while (j < n && (isAlnum(text.charAt(j)) || text.charAt(j) == '-')) {
                letters &= isLetter(text.charAt(j));
                j++;
            }
            if (j == labelStart || text.charAt(labelStart) == '-' || text.charAt(j - 1) == '-') {
                j = labelStart;
                break;
            }
            labels++;
            lastLabelStart = labelStart;
            lastAllLetters = letters;
            if (j + 1 < n && text.charAt(j) == '.' && isAlnum(text.charAt(j + 1))) {
                j++;
            } else {
                break;
            }
        }
        // a trailing dot ended the domain, or the loop stepped back to a label that was not one
        int end = j;
        while (end > at + 1 && text.charAt(end - 1) == '.') {
            end--;
        }
        if (labels < 2 || !lastAllLetters || end - lastLabelStart < 2) {
            return at + 1;
        }
        emit(EntityType.EMAIL, start, end, 0.95);
        return end;
    }

    private static boolean isLocalChar(char c) {
        return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    // --- IPv6

    private int ipv6(int colon) {
        int start = colon;
        while (start > 0 && colon - start < 45 && isIpv6Char(text.charAt(start - 1))) {
            start--;
        }
        int end = colon + 1;
        while (end < n && end - start < 45 && isIpv6Char(text.charAt(end))) {
            end++;
        }
        int tokenEnd = end;
        while (end > colon + 1 && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == ':')
                && !text.startsWith("::", end - 2)) {
            end--;
        }
        if (!on(EntityType.IP_ADDRESS) || (start > 0 && isWordChar(text.charAt(start - 1)))
                || (tokenEnd < n && isWordChar(text.charAt(tokenEnd)))) {
            return Math.max(colon + 1, tokenEnd);
        }
        if (Ipv6.valid(text, start, end)) {
            emit(EntityType.IP_ADDRESS, start, end, 0.85);
        }
        return Math.max(colon + 1, tokenEnd);
    }

    private static boolean isIpv6Char(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    }

    // --- private keys

    private int privateKey(int i) {
        if (!text.startsWith("-----BEGIN ", i)) {
            int j = i;
            while (j < n && text.charAt(j) == '-') {
                j++;
            }
            return j;
        }
        int headerEnd = text.indexOf("-----", i + 11);
        if (headerEnd < 0 || headerEnd - i > 80 || !text.substring(i, headerEnd).endsWith("PRIVATE KEY")) {
            return i + 11;
        }
        int footer = text.indexOf("-----END ", headerEnd + 5);
        int end = n;
        if (footer >= 0) {
            int close = text.indexOf("-----", footer + 9);
            end = close < 0 ? n : close + 5;
        }
        emit(EntityType.PRIVATE_KEY, i, end, 1.0);
        return end;
    }

    // --- numbers

    /** A number span from {@code start} (a digit, or {@code +} or {@code (} before one): cut, then classified. */
    private int number(int start) {
        if (!numberMayStart(start)) {
            return skipToken(start);
        }
        spanStart = start;
        plus = text.charAt(start) == '+';
        paren = text.charAt(start) == '(';
        int j = plus || paren ? start + 1 : start;
        groups = 0;
        int digitCount = 0;
        int end;
        while (true) {
            int k = j;
            while (k < n && isDigit(text.charAt(k))) {
                k++;
            }
            if (digitCount + (k - j) > MAX_DIGITS) {
                // a run too long for anything we know: skip it whole
                return skipToken(k);
            }
            groupStart[groups] = j;
            groupEnd[groups] = k;
            groups++;
            digitCount += k - j;
            if (groups == MAX_GROUPS) {
                end = k;
                break;
            }
            int m = k;
            while (m < n && m - k < 3 && isSeparator(text.charAt(m))) {
                m++;
            }
            int code = m > k && m < n && isDigit(text.charAt(m)) ? separatorCode(k, m) : 0;
            if (code == 0) {
                end = k;
                break;
            }
            separator[groups] = code;
            j = m;
        }
        if (!numberMayEnd(end)) {
            return skipToken(end);
        }
        if (paren && (groups == 1 || text.charAt(groupEnd[0]) != ')')) {
            // "(4111 1111 ...)": a number in parentheses, not an area code in them
            paren = false;
            spanStart = start + 1;
        }
        classifyAll();
        return end;
    }

    /** Classifies the whole span; when nothing claims it, its pieces between spaces, longest first. */
    private void classifyAll() {
        if (classify(0, groups - 1) || groups == 1) {
            return;
        }
        for (int from = 0; from < groups; from++) {
            if (from > 0 && separator[from] != SPACE) {
                continue;
            }
            for (int to = groups - 1; to >= from; to--) {
                if ((to < groups - 1 && separator[to + 1] != SPACE) || (from == 0 && to == groups - 1)) {
                    continue;
                }
                if (classify(from, to)) {
                    from = to;
                    break;
                }
            }
        }
    }

    /**
     * What the groups {@code from..to} are. True when the shape is claimed, found or not (a card-shaped number that
     * fails Luhn is no phone number), false when other readings may still be tried.
     */
    private boolean classify(int from, int to) {
        int count = to - from + 1;
        int length = 0;
        for (int g = from; g <= to; g++) {
            for (int k = groupStart[g]; k < groupEnd[g]; k++) {
                digits[length++] = text.charAt(k);
            }
        }
        boolean prefixed = from == 0 && (plus || paren);
        int start = from == 0 ? spanStart : groupStart[from];
        int end = groupEnd[to];
        Context context = new Context(start, end);
        if (!prefixed) {
            if (count == 3 && len(from) == 3 && len(from + 1) == 2 && len(to) == 4
                    && separator[from + 1] == separator[to] && (separator[to] == DASH || separator[to] == SPACE)) {
                ssn(start, end, true, context);
                return true;
            }
            if (count == 1 && length == 9 && ssn(start, end, false, context)) {
                return true;
            }
            if (length >= 12 && length <= 19 && cardGrouping(from, to)) {
                if (Checksums.luhn(digits, length) && Checksums.cardIssuer(digits, length)) {
                    if (!context.get().opposes(EntityType.CREDIT_CARD)) {
                        emit(EntityType.CREDIT_CARD, start, end,
                                context.get().supports(EntityType.CREDIT_CARD) ? 1.0 : 0.9);
                    }
                    return true;
                }
                if (length > 15 || count >= 3 || Checksums.cardIssuer(digits, length)) {
                    // laid out or numbered as a card, with a wrong digit: no phone number or anything else either
                    return true;
                }
            }
            if (count == 4 && sameSeparators(from, to, DOT)) {
                ipv4(from, to, start, end, context);
                return true;
            }
            if (count == 3 && date(from, to)) {
                if (context.get().supports(EntityType.DATE_OF_BIRTH)) {
                    emit(EntityType.DATE_OF_BIRTH, start, end, 0.85);
                }
                return true;
            }
            if (count == 1 && length == 4 && yearWithMonth(from, start, end, context)) {
                return true;
            }
        }
        // a word naming a passport or record number says what a plain run of digits is before any phone reading
        if (!prefixed && count == 1) {
            if (length >= 8 && length <= 9 && context.get().supports(EntityType.PASSPORT)) {
                emit(EntityType.PASSPORT, start, end, 0.8);
                return true;
            }
            if (length >= 6 && length <= 10 && context.get().supports(EntityType.MRN)) {
                emit(EntityType.MRN, start, end, 0.8);
                return true;
            }
        }
        return on(EntityType.PHONE) && phone(from, to, count, length, prefixed, start, end, context);
    }

    private int len(int group) {
        return groupEnd[group] - groupStart[group];
    }

    private boolean sameSeparators(int from, int to, int code) {
        for (int g = from + 1; g <= to; g++) {
            if (separator[g] != code) {
                return false;
            }
        }
        return true;
    }

    /** Formatted (3-2-4) numbers count unless they break the SSA's rules; nine digits run together need a word. */
    private boolean ssn(int start, int end, boolean formatted, Context context) {
        if (!Checksums.ssnValid(digits) || context.get().opposes(EntityType.SSN)) {
            return false;
        }
        boolean named = context.get().supports(EntityType.SSN);
        if (!named && (!formatted || Checksums.ssnExample(digits))) {
            return false;
        }
        emit(EntityType.SSN, start, end, named ? 0.95 : 0.85);
        return true;
    }

    /** Run together, or in groups of four (the last one shorter), or Amex's and Diners' 4-6-5 and 4-6-4. */
    private boolean cardGrouping(int from, int to) {
        if (from == to) {
            return true;
        }
        int sep = separator[from + 1];
        if ((sep != SPACE && sep != DASH) || !sameSeparators(from, to, sep)) {
            return false;
        }
        if (to - from == 2 && len(from) == 4 && len(from + 1) == 6 && (len(to) == 5 || len(to) == 4)) {
            return true;
        }
        for (int g = from; g < to; g++) {
            if (len(g) != 4) {
                return false;
            }
        }
        return len(to) >= 1 && len(to) <= 4;
    }

    private void ipv4(int from, int to, int start, int end, Context context) {
        for (int g = from; g <= to; g++) {
            int length = len(g);
            if (length > 3) {
                return;
            }
            int value = 0;
            for (int k = groupStart[g]; k < groupEnd[g]; k++) {
                value = value * 10 + (text.charAt(k) - '0');
            }
            if (value > 255) {
                return;
            }
        }
        boolean supported = context.get().supports(EntityType.IP_ADDRESS);
        boolean smallQuad = true;
        for (int g = from; g <= to; g++) {
            smallQuad &= len(g) == 1;
        }
        // 0.x.x.x is never a host; four one-digit parts read as a version ("running 4.2.1.0") unless a word says IP
        if (text.charAt(groupStart[from]) == '0' && len(from) == 1 || (smallQuad && !supported)
                || context.get().opposes(EntityType.IP_ADDRESS)) {
            return;
        }
        emit(EntityType.IP_ADDRESS, start, end, supported ? 0.95 : 0.8);
    }

    /** Year-month-day, or day and month (either order) then a year of four or two digits, one separator. */
    private boolean date(int from, int to) {
        int sep = separator[from + 1];
        if (separator[to] != sep || (sep != DASH && sep != SLASH && sep != DOT)) {
            return false;
        }
        int a = value(from);
        int b = value(from + 1);
        int c = value(to);
        if (len(from) == 4) {
            return a >= 1900 && a <= 2099 && len(from + 1) <= 2 && len(to) <= 2 && b >= 1 && b <= 12 && c >= 1
                    && c <= 31;
        }
        if (len(from) > 2 || len(from + 1) > 2 || (len(to) != 4 && len(to) != 2)) {
            return false;
        }
        boolean year = len(to) == 2 || (c >= 1900 && c <= 2099);
        return year && a >= 1 && b >= 1 && a <= 31 && b <= 31 && (a <= 12 || b <= 12);
    }

    /** "born March 3, 1985": a year after a written-out day and month, next to a birth word. */
    private boolean yearWithMonth(int group, int start, int end, Context context) {
        int year = value(group);
        if (year < 1900 || year > 2099 || !on(EntityType.DATE_OF_BIRTH)
                || !context.get().supports(EntityType.DATE_OF_BIRTH)) {
            return false;
        }
        int from = Math.max(0, start - 24);
        Matcher month = MONTH_BEFORE_YEAR.matcher(text).region(from, start);
        if (!month.find()) {
            return false;
        }
        emit(EntityType.DATE_OF_BIRTH, month.start(), end, 0.85);
        return true;
    }

    private int value(int group) {
        int value = 0;
        for (int k = groupStart[group]; k < groupEnd[group] && k - groupStart[group] < 9; k++) {
            value = value * 10 + (text.charAt(k) - '0');
        }
        return value;
    }

    /**
     * A phone number: the shapes of international, North-American, trunk-0 and Indian numbers validated by
     * libphonenumber; a phone-shaped number that fails validation (555-867-5309) counts when a word such as "call" is
     * near.
     */
    private boolean phone(int from, int to, int count, int length, boolean prefixed, int start, int end,
                          Context context) {
        PhoneNumbers.Shape shape = null;
        boolean shortLocal = false;
        boolean plusHere = from == 0 && plus;
        boolean parenHere = from == 0 && paren;
        if (plusHere) {
            if ((len(0) <= 3 || count == 1) && length >= 8 && length <= 15) {
                shape = PhoneNumbers.Shape.INTERNATIONAL;
            }
        } else if (northAmerican(from, to, count, length)) {
            shape = PhoneNumbers.Shape.NORTH_AMERICAN;
        } else if (digits[0] == '0' && length >= 8 && length <= 12 && groupsBetween(from, to, 2, 8)) {
            shape = PhoneNumbers.Shape.TRUNK;
        } else if (!parenHere && length == 10 && digits[0] >= '6'
                && (count == 1 || (count == 2 && len(from) == 5))) {
            shape = PhoneNumbers.Shape.INDIAN;
        } else if (!parenHere && count >= 4 && length >= 8 && length <= 11 && groupsBetween(from, to, 2, 3)
                && sameSeparators(from, to, separator[from + 1]) && separator[to] != SLASH) {
            // national numbers of plans without a trunk 0, in small groups (Spain's 912 34 56 78)
            shape = PhoneNumbers.Shape.TRUNK;
        } else if (!parenHere && count == 2 && len(from) == 3 && len(to) == 4 && separator[to] != SLASH) {
            shortLocal = true;
        }
        if (shape == null && !shortLocal) {
            return false;
        }
        if (context.get().opposes(EntityType.PHONE)) {
            return true;
        }
        boolean named = context.get().supports(EntityType.PHONE);
        if (shape != null && phones.valid(text.substring(start, end), shape)) {
            emit(EntityType.PHONE, start, end, named ? 0.95 : 0.75);
            return true;
        }
        if (named && (shape != PhoneNumbers.Shape.INDIAN)) {
            emit(EntityType.PHONE, start, end, 0.6);
            return true;
        }
        return false;
    }

    /** 3-3-4 (the area code in parentheses or not), ten digits run together, or either after a leading 1. */
    private boolean northAmerican(int from, int to, int count, int length) {
        int first = from;
        if (length == 11 && digits[0] == '1') {
            if (count == 1) {
                return digits[1] >= '2';
            }
            if (len(first) != 1) {
                return false;
            }
            first++;
            count--;
        } else if (length != 10) {
            return false;
        }
        int area = length == 11 ? 1 : 0;
        if (digits[area] < '2' || digits[area + 3] < '2') {
            return false;
        }
        return count == 1 || (count == 3 && len(first) == 3 && len(first + 1) == 3 && len(to) == 4
                && separator[first + 1] != SLASH && separator[to] != SLASH);
    }

    private boolean groupsBetween(int from, int to, int min, int max) {
        if (from == to) {
            return true;
        }
        for (int g = from; g <= to; g++) {
            if (len(g) < min || len(g) > max) {
                return false;
            }
        }
        return true;
    }

    /** The separator between two digit groups as one code, 0 when it is not one we accept. */
    private int separatorCode(int from, int to) {
        int spaces = 0;
        int marks = 0;
        int parens = 0;
        char mark = 0;
        for (int k = from; k < to; k++) {
            char c = text.charAt(k);
            switch (c) {
                case ' ' -> spaces++;
                case '(', ')' -> parens++;
                default -> {
                    marks++;
                    mark = c;
                }
            }
        }
        if (spaces > 1 || marks > 1 || parens > 1) {
            return 0;
        }
        if (parens == 1) {
            // "(555) 867" or "1 (555)": a parenthesis only around the second group's start or the first's end
            return MIXED;
        }
        if (marks == 0) {
            return SPACE;
        }
        if (spaces == 1) {
            return MIXED;
        }
        return switch (mark) {
            case '-' -> DASH;
            case '.' -> DOT;
            case '/' -> SLASH;
            default -> 0;
        };
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
    }

    /**
     * A number starts a span unless it continues a word or a compound token: {@code abc123}, {@code v1.2},
     * {@code 1f-426614174000} in a UUID. A label of up to four capitals before a dash ({@code MRN-}) is no compound,
     * nor is anything before a colon ({@code ssn:}, {@code tel:}).
     */
    private boolean numberMayStart(int start) {
        if (start == 0) {
            return true;
        }
        char before = text.charAt(start - 1);
        if (isWordChar(before) || before == '@' || before == '$' || before == '€' || before == '£') {
            return false;
        }
        if (before == '-' || before == '.' || before == '/' || before == '_') {
            int k = start - 2;
            int capitals = 0;
            while (k >= 0 && isWordChar(text.charAt(k))) {
                if (!isUpper(text.charAt(k)) || ++capitals > 4) {
                    return false;
                }
                k--;
            }
        }
        return true;
    }

    /** A span ends at a boundary: not before a letter, an {@code @}, or a dash, dot or colon that goes on. */
    private boolean numberMayEnd(int end) {
        if (end == n) {
            return true;
        }
        char after = text.charAt(end);
        if (isWordChar(after) || after == '@') {
            return false;
        }
        // a colon may follow (a port, a time, an IPv6 group: the colon's own check reads the latter)
        if ((after == '-' || after == '.' || after == '/' || after == '_') && end + 1 < n) {
            return !isWordChar(text.charAt(end + 1));
        }
        return true;
    }

    private int skipToken(int i) {
        int j = i;
        while (j < n) {
            char c = text.charAt(j);
            if (isWordChar(c) || ((c == '-' || c == '.' || c == '/' || c == '_') && j + 1 < n
                    && isWordChar(text.charAt(j + 1)))) {
                j++;
            } else {
                break;
            }
        }
        return Math.max(j, i + 1);
    }

    private int skipWord(int i) {
        int j = i + 1;
        while (j < n && isWordChar(text.charAt(j))) {
            j++;
        }
        return j;
    }

    private boolean wordStart(int i) {
        return i == 0 || !isWordChar(text.charAt(i - 1));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlnum(char c) {
        return isLetter(c) || isDigit(c);
    }

    private static boolean isKeyChar(char c) {
        return isAlnum(c) || c == '-' || c == '_';
    }

    private static boolean isWordChar(char c) {
        return c < 128 ? isAlnum(c) || c == '_' : Character.isLetterOrDigit(c);
    }

    /** The context words around a candidate, looked up at most once and only when a check needs them. */
    private final class Context {
        private final int start;
        private final int end;
        private ContextWords.Verdict verdict;

        Context(int start, int end) {
            this.start = start;
            this.end = end;
        }

        ContextWords.Verdict get() {
            if (verdict == null) {
                verdict = ContextWords.around(text, start, end);
            }
            return verdict;
        }
    }
}
