package dev.smartflow.compliance;

import static dev.smartflow.compliance.Action.BLOCK;
import static dev.smartflow.compliance.Action.LOG;
import static dev.smartflow.compliance.Action.PSEUDONYMISE;
import static dev.smartflow.compliance.Action.REDACT;
import static dev.smartflow.compliance.detect.EntityType.API_KEY;
import static dev.smartflow.compliance.detect.EntityType.AWS_ACCESS_KEY;
import static dev.smartflow.compliance.detect.EntityType.CREDIT_CARD;
import static dev.smartflow.compliance.detect.EntityType.DATE_OF_BIRTH;
import static dev.smartflow.compliance.detect.EntityType.EMAIL;
import static dev.smartflow.compliance.detect.EntityType.GITHUB_TOKEN;
import static dev.smartflow.compliance.detect.EntityType.IBAN;
import static dev.smartflow.compliance.detect.EntityType.IP_ADDRESS;
import static dev.smartflow.compliance.detect.EntityType.JWT;
import static dev.smartflow.compliance.detect.EntityType.MRN;
import static dev.smartflow.compliance.detect.EntityType.PASSPORT;
import static dev.smartflow.compliance.detect.EntityType.PHONE;
import static dev.smartflow.compliance.detect.EntityType.PRIVATE_KEY;
import static dev.smartflow.compliance.detect.EntityType.SSN;

import dev.smartflow.compliance.detect.EntityType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four policies every gateway has, by the names the SDK guide uses. Secrets are blocked by all of them: a key
 * sent to a provider is a key leaked.
 *
 * <table>
 *   <caption>What each policy does per type</caption>
 *   <tr><th>type</th><th>enterprise_standard</th><th>hipaa</th><th>pci_dss_strict</th><th>gdpr</th></tr>
 *   <tr><td>API keys, AWS keys, GitHub tokens, JWTs, private keys</td><td>block</td><td>block</td><td>block</td>
 *       <td>block</td></tr>
 *   <tr><td>credit_card</td><td>redact</td><td>redact</td><td>block</td><td>redact</td></tr>
 *   <tr><td>ssn</td><td>redact</td><td>redact</td><td>redact</td><td>pseudonymise</td></tr>
 *   <tr><td>iban</td><td>redact</td><td>redact</td><td>redact</td><td>pseudonymise</td></tr>
 *   <tr><td>passport</td><td>redact</td><td>pseudonymise</td><td>redact</td><td>pseudonymise</td></tr>
 *   <tr><td>email, phone</td><td>pseudonymise</td><td>pseudonymise</td><td>log</td><td>pseudonymise</td></tr>
 *   <tr><td>mrn</td><td>log</td><td>pseudonymise</td><td>log</td><td>redact</td></tr>
 *   <tr><td>date_of_birth</td><td>log</td><td>pseudonymise</td><td>log</td><td>pseudonymise</td></tr>
 *   <tr><td>ip_address</td><td>log</td><td>pseudonymise</td><td>log</td><td>pseudonymise</td></tr>
 * </table>
 *
 * <p>Why: {@code hipaa} pseudonymises the identifiers of the Safe Harbor list, keeping the re-identification key at
 * the gateway as §164.514(c) allows, so a clinical assistant can still refer to "the patient [MRN_…]"; {@code gdpr}
 * pseudonymises (Art. 4(5)) and redacts health data (Art. 9); {@code pci_dss_strict} refuses any call carrying a
 * card number.
 */
public final class BuiltInPolicies {
    public static final String ENTERPRISE_STANDARD = "enterprise_standard";
    public static final String HIPAA = "hipaa";
    public static final String PCI_DSS_STRICT = "pci_dss_strict";
    public static final String GDPR = "gdpr";

    private static final List<EntityType> SECRETS = List.of(API_KEY, AWS_ACCESS_KEY, GITHUB_TOKEN, JWT, PRIVATE_KEY);

    private static final List<CompliancePolicy> ALL = List.of(
            policy(ENTERPRISE_STANDARD, "Secrets blocked; SSNs, cards, IBANs and passports redacted; e-mail and "
                    + "phone pseudonymised; addresses, dates of birth and record numbers logged",
                    Map.of(SSN, REDACT, CREDIT_CARD, REDACT, IBAN, REDACT, PASSPORT, REDACT, EMAIL, PSEUDONYMISE,
                            PHONE, PSEUDONYMISE, MRN, LOG, DATE_OF_BIRTH, LOG, IP_ADDRESS, LOG)),
            policy(HIPAA, "Secrets blocked; SSNs, cards and IBANs redacted; patient identifiers (MRN, date of "
                    + "birth, contact details, IP, passport) pseudonymised",
                    Map.of(SSN, REDACT, CREDIT_CARD, REDACT, IBAN, REDACT, MRN, PSEUDONYMISE, DATE_OF_BIRTH,
                            PSEUDONYMISE, EMAIL, PSEUDONYMISE, PHONE, PSEUDONYMISE, IP_ADDRESS, PSEUDONYMISE,
                            PASSPORT, PSEUDONYMISE)),
            policy(PCI_DSS_STRICT, "Card numbers and secrets blocked; SSNs, IBANs and passports redacted; the rest "
                    + "logged",
                    Map.of(CREDIT_CARD, BLOCK, SSN, REDACT, IBAN, REDACT, PASSPORT, REDACT, EMAIL, LOG, PHONE, LOG,
                            MRN, LOG, DATE_OF_BIRTH, LOG, IP_ADDRESS, LOG)),
            policy(GDPR, "Secrets blocked; personal data pseudonymised; health data and cards redacted",
                    Map.of(EMAIL, PSEUDONYMISE, PHONE, PSEUDONYMISE, IP_ADDRESS, PSEUDONYMISE, DATE_OF_BIRTH,
                            PSEUDONYMISE, PASSPORT, PSEUDONYMISE, IBAN, PSEUDONYMISE, SSN, PSEUDONYMISE, MRN,
                            REDACT, CREDIT_CARD, REDACT)));

    private BuiltInPolicies() {
    }

    /** The four policies. */
    public static List<CompliancePolicy> all() {
        return ALL;
    }

    public static Optional<CompliancePolicy> named(String name) {
        return ALL.stream().filter(policy -> policy.name().equals(name)).findFirst();
    }

    private static CompliancePolicy policy(String name, String description, Map<EntityType, Action> actions) {
        Map<EntityType, Action> withSecrets = new EnumMap<>(actions);
        SECRETS.forEach(secret -> withSecrets.put(secret, BLOCK));
        return CompliancePolicy.of(name, description, withSecrets, true);
    }
}
