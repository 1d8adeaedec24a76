package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.core.spi.Policy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyDetectorsTest {
    private final PolicyDetectors detectors = PolicyDetectors.builtIn();

    private List<String> found(String detector, String text) {
        return detectors.get(detector).orElseThrow().find(text).stream()
                .map(span -> text.substring(span.start(), span.end())).toList();
    }

    private List<String> askedFor(String content, List<String> named) {
        Policy policy = Policy.builder("p", "P", Policy.Type.SECURITY, content, Instant.EPOCH).detectors(named)
                .build();
        return detectors.forPolicy(policy).stream().map(PolicyDetector::name).toList();
    }

    @Test
    void theBuiltInDetectorsFindWhatTheyAreNamedFor() {
        assertEquals(List.of("jane.doe+x@example.co.uk"), found("email", "write to jane.doe+x@example.co.uk now"));
        assertEquals(List.of("123-45-6789"), found("us_ssn", "SSN 123-45-6789, not 000-12-3456 or 666-12-3456"));
        assertEquals(List.of("4111 1111 1111 1111"), found("credit_card", "card 4111 1111 1111 1111 or 4111 1111 1111"
                + " 1112"));
        assertEquals(List.of("MRN 12345678"), found("medical_record_number", "chart MRN 12345678 updated"));
        assertEquals(List.of("DOB: 04/07/1961"), found("date_of_birth", "DOB: 04/07/1961"));
        assertEquals(List.of("(555) 123-4567"), found("phone_number", "call (555) 123-4567"));
        assertEquals(List.of("10.1.2.3"), found("ip_address", "host 10.1.2.3, not 10.1.2.300"));
        assertEquals(List.of("AKIAABCDEFGHIJKLMNOP"), found("api_key", "key AKIAABCDEFGHIJKLMNOP"));
    }

    @Test
    void aPolicyAsksForTheDetectorsItNamesAndThoseItsContentSpeaksOf() {
        assertEquals(List.of("medical_record_number"), askedFor("Never share medical record numbers.", List.of()));
        assertEquals(List.of("email", "us_ssn", "credit_card"), askedFor(
                "No Social Security numbers or credit cards.", List.of("email")));
        assertEquals(List.of(), askedFor("Keep a friendly tone; no slang.", List.of()));
        assertEquals(List.of(), askedFor("Mention our premium tier when relevant.", List.of()), "'mri' is no 'mrn'");
    }

    @Test
    void theEngineCanPutItsOwnRecognizerInPlaceOfABuiltInOne() {
        PolicyDetector strict = new PolicyDetector() {
            @Override
            public String name() {
                return "email";
            }

            @Override
            public List<Span> find(String text) {
                return text.contains("@") ? List.of(new Span(0, text.length())) : List.of();
            }
        };

        PolicyDetectors replaced = detectors.with(List.of(strict));

        assertEquals(1, replaced.get("email").orElseThrow().find("a@b").size());
        assertEquals(detectors.names(), replaced.names());
    }
}
