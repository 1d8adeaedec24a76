package dev.smartflow.compliance.detect;

import java.util.Locale;
import java.util.Optional;

/**
 * What a recognizer finds: personal data, financial and health identifiers, and secrets. Each type has the label
 * redaction puts in its place ({@code [SSN]}), the lower-case id the APIs and audit flags use ({@code ssn}), a category
 * for policies and the similarity layer, and a severity in [0, 1] that weighs a finding in the compliance score.
 */
public enum EntityType {
    SSN(Category.PII, 0.9),
    CREDIT_CARD(Category.FINANCIAL, 0.9),
    EMAIL(Category.PII, 0.3),
    PHONE(Category.PII, 0.3),
    IBAN(Category.FINANCIAL, 0.8),
    IP_ADDRESS(Category.PII, 0.2),
    MRN(Category.HEALTH, 0.8),
    PASSPORT(Category.PII, 0.8),
    DATE_OF_BIRTH(Category.PII, 0.5),
    API_KEY(Category.CREDENTIAL, 1.0),
    AWS_ACCESS_KEY(Category.CREDENTIAL, 1.0),
    GITHUB_TOKEN(Category.CREDENTIAL, 1.0),
    JWT(Category.CREDENTIAL, 0.9),
    PRIVATE_KEY(Category.CREDENTIAL, 1.0);

    /** Groups of types, as policies and the similarity layer name them. */
    public enum Category {
        PII, FINANCIAL, HEALTH, CREDENTIAL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final EntityType[] VALUES = values();

    private final Category category;
    private final double severity;
    private final String id;
    private final String label;

    EntityType(Category category, double severity) {
        this.category = category;
        this.severity = severity;
        this.id = name().toLowerCase(Locale.ROOT);
        this.label = "[" + name() + "]";
    }

    public Category category() {
        return category;
    }

    /** How much a certain finding of this type lowers the compliance score, 0 to 1. */
    public double severity() {
        return severity;
    }

    /** {@code ssn}, {@code credit_card}, ...: the name in APIs, policies and audit flags. */
    public String id() {
        return id;
    }

    /** What redaction puts in the finding's place: {@code [SSN]}, {@code [EMAIL]}, ... */
    public String label() {
        return label;
    }

    /** The type named {@code id} ({@code ssn}, {@code SSN}, {@code credit-card}), if there is one. */
    public static Optional<EntityType> parse(String id) {
        String wanted = id.strip().replace('-', '_').toUpperCase(Locale.ROOT);
        for (EntityType type : VALUES) {
            if (type.name().equals(wanted)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
