package dev.smartflow.compliance.policy;

import dev.smartflow.core.spi.Policy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The detectors policies can name, and which of them a policy asks for: those in its {@code detectors} field plus
 * those whose subject its content names in words ("medical record numbers" asks for {@code medical_record_number}).
 *
 * <p>The built-in detectors are plain patterns, kept simple on purpose: the compliance engine's recognizers (issue 19)
 * are the thorough ones and can replace these by name ({@link #with}). Immutable and thread-safe.
 */
public final class PolicyDetectors {
    /** Words in a policy's content that ask for a detector, by detector name, in a fixed order. */
    private static final List<Map.Entry<String, List<String>>> ALIASES = List.of(
            Map.entry("email", List.of("email", "e-mail")),
            Map.entry("us_ssn", List.of("social security", "ssn")),
            Map.entry("credit_card", List.of("credit card", "card number", "payment card", "pci")),
            Map.entry("phone_number", List.of("phone number", "telephone")),
            Map.entry("medical_record_number", List.of("medical record number", "mrn")),
            Map.entry("date_of_birth", List.of("date of birth", "birth date", "dob")),
            Map.entry("ip_address", List.of("ip address")),
            Map.entry("api_key", List.of("api key", "secret key", "access key")));

    private final Map<String, PolicyDetector> byName;
    private final Map<String, Pattern> aliases;

    private PolicyDetectors(Map<String, PolicyDetector> byName) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        Map<String, Pattern> patterns = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> alias : ALIASES) {
            if (byName.containsKey(alias.getKey())) {
                patterns.put(alias.getKey(), Pattern.compile("\\b(" + String.join("|", alias.getValue().stream()
                        .map(Pattern::quote).toList()) + ")s?\\b", Pattern.CASE_INSENSITIVE));
            }
        }
        this.aliases = Collections.unmodifiableMap(patterns);
    }

    /** The built-in detectors: {@code email}, {@code us_ssn}, {@code credit_card} (Luhn-checked), ... */
    public static PolicyDetectors builtIn() {
        Map<String, PolicyDetector> detectors = new LinkedHashMap<>();
        for (PolicyDetector detector : List.of(
                pattern("email", "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"),
                pattern("us_ssn", "\\b(?!000|666|9\\d\\d)\\d{3}[- ](?!00)\\d{2}[- ](?!0000)\\d{4}\\b"),
                new CardNumbers(),
                pattern("phone_number", "(?<![\\w+])(\\+?1[ .-]?)?\\(?\\d{3}\\)?[ .-]\\d{3}[ .-]\\d{4}\\b"),
                pattern("medical_record_number", "(?i)\\b(MRN|medical record (number|no\\.?|#))[:#\\s]*\\d{5,12}\\b"),
                pattern("date_of_birth", "(?i)\\b(DOB|date of birth|born( on)?)[:\\s]*"
                        + "(\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{4}-\\d{2}-\\d{2})"),
                pattern("ip_address", "\\b(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}\\b"),
                pattern("api_key", "\\b(sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,})\\b"))) {
            detectors.put(detector.name(), detector);
        }
        return new PolicyDetectors(detectors);
    }

    /** These detectors with {@code replacements} added, or put in place of the built-in ones of the same names. */
    public PolicyDetectors with(Collection<PolicyDetector> replacements) {
        Map<String, PolicyDetector> detectors = new LinkedHashMap<>(byName);
        replacements.forEach(detector -> detectors.put(detector.name(), detector));
        return new PolicyDetectors(detectors);
    }

    /** Every detector's name. */
    public Set<String> names() {
        return byName.keySet();
    }

    public Optional<PolicyDetector> get(String name) {
        return Optional.ofNullable(byName.get(Objects.requireNonNull(name, "name")));
    }

    /** The detectors {@code policy} asks for, by its {@code detectors} field and by words in its content. */
    List<PolicyDetector> forPolicy(Policy policy) {
        Set<String> names = new LinkedHashSet<>(policy.detectors());
        aliases.forEach((name, words) -> {
            if (words.matcher(policy.content()).find()) {
                names.add(name);
            }
        });
        List<PolicyDetector> found = new ArrayList<>();
        names.forEach(name -> get(name).ifPresent(found::add));
        return List.copyOf(found);
    }

    private static PolicyDetector pattern(String name, String regex) {
        Pattern pattern = Pattern.compile(regex);
        return new PolicyDetector() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<Span> find(String text) {
                List<Span> spans = new ArrayList<>();
                Matcher matcher = pattern.matcher(text);
                while (matcher.find()) {
                    spans.add(new Span(matcher.start(), matcher.end()));
                }
                return spans;
            }
        };
    }

    /** Runs of 13 to 19 digits (spaces or dashes between groups allowed) that pass the Luhn check. */
    private static final class CardNumbers implements PolicyDetector {
        private static final Pattern CANDIDATE = Pattern.compile("\\b\\d(?:[ -]?\\d){12,18}\\b");

        @Override
        public String name() {
            return "credit_card";
        }

        @Override
        public List<Span> find(String text) {
            List<Span> spans = new ArrayList<>();
            Matcher matcher = CANDIDATE.matcher(text);
            while (matcher.find()) {
                if (luhn(matcher.group().replaceAll("[ -]", ""))) {
                    spans.add(new Span(matcher.start(), matcher.end()));
                }
            }
            return spans;
        }

        private static boolean luhn(String digits) {
            int sum = 0;
            boolean doubled = false;
            for (int i = digits.length() - 1; i >= 0; i--) {
                int digit = digits.charAt(i) - '0';
                if (doubled) {
                    digit *= 2;
                    if (digit > 9) {
                        digit -= 9;
                    }
                }
                sum += digit;
                doubled = !doubled;
            }
            return sum % 10 == 0;
        }
    }
}
