package dev.smartflow.core.spi;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule of the policy library, as {@link PolicyStore} keeps it: its text (what the evaluation compares requests
 * with), where it applies (providers, models, the caller's metadata) and what happens when a request matches it.
 *
 * <pre>{@code
 * Policy hipaa = Policy.builder("pol_hipaa", "HIPAA PHI Protection", Policy.Type.COMPLIANCE,
 *                 "Do not include patient names, diagnoses or medical record numbers.", clock.instant())
 *         .priority(90)
 *         .severity(Policy.Severity.CRITICAL)
 *         .regulatoryFramework(Optional.of("HIPAA"))
 *         .build();
 * }</pre>
 *
 * <p>Times are kept to the microsecond (the resolution the SQL stores keep), so the constructor truncates them. Limits
 * on lengths and counts belong to the API that accepts policies; the record checks only what makes it a policy.
 *
 * @param id                  the policy's id; not blank
 * @param name                a display name; not blank
 * @param description         what the policy is for; may be empty
 * @param type                which kind of rule it is
 * @param content             the rule's text, read by the evaluation; not blank
 * @param priority            0 to 100: higher is evaluated first
 * @param applicableProviders the providers it applies to; {@code ["all"]} for every one; not empty
 * @param applicableModels    the models it applies to; {@code ["all"]} for every one; not empty
 * @param regulatoryFramework e.g. {@code HIPAA}, {@code GDPR}
 * @param severity            how much a match weighs
 * @param action              what a match does to the request
 * @param targeting           which callers it applies to, beyond its assignments
 * @param detectors           names of built-in detectors the policy asks for, beyond those its content names
 * @param active              false while the policy is switched off
 * @param createdAt           when it was created
 * @param updatedAt           when it last changed
 */
public record Policy(String id, String name, String description, Type type, String content, int priority,
                     List<String> applicableProviders, List<String> applicableModels,
                     Optional<String> regulatoryFramework, Severity severity, Action action, Targeting targeting,
                     List<String> detectors, boolean active, Instant createdAt, Instant updatedAt) {
    /** The value of {@link #applicableProviders} or {@link #applicableModels} that means every one. */
    public static final String ALL = "all";
    /** The lowest and highest priorities. */
    public static final int MIN_PRIORITY = 0;
    public static final int MAX_PRIORITY = 100;

    public Policy {
        requireText(id, "id");
        requireText(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(type, "type");
        requireText(content, "content");
        if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority is 0 to 100, not " + priority);
        }
        applicableProviders = List.copyOf(applicableProviders);
        applicableModels = List.copyOf(applicableModels);
        if (applicableProviders.isEmpty() || applicableModels.isEmpty()) {
            throw new IllegalArgumentException("applicableProviders and applicableModels are not empty "
                    + "(use [\"all\"])");
        }
        Objects.requireNonNull(regulatoryFramework, "regulatoryFramework");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(targeting, "targeting");
        detectors = List.copyOf(detectors);
        createdAt = Objects.requireNonNull(createdAt, "createdAt").truncatedTo(ChronoUnit.MICROS);
        updatedAt = Objects.requireNonNull(updatedAt, "updatedAt").truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * A builder for an active policy of priority 50 and {@link Severity#MEDIUM}, with no description, for every
     * provider and model and every caller, its action the severity's default, updated when created.
     */
    public static Builder builder(String id, String name, Type type, String content, Instant createdAt) {
        return new Builder(id, name, type, content, createdAt);
    }

    /** A builder holding this policy's values. */
    public Builder toBuilder() {
        return new Builder(id, name, type, content, createdAt).description(description).priority(priority)
                .applicableProviders(applicableProviders).applicableModels(applicableModels)
                .regulatoryFramework(regulatoryFramework).severity(severity).action(action).targeting(targeting)
                .detectors(detectors).active(active).updatedAt(updatedAt);
    }

    /** The seven kinds of policy of the API reference. */
    public enum Type {
        /** Regulatory rules: HIPAA, GDPR, SOC 2, PCI-DSS. */
        COMPLIANCE,
        /** Brand voice and communication standards. */
        BRAND,
        /** Output format constraints. */
        FORMAT,
        /** Role-based access and behaviour. */
        ROLE,
        /** Industry-specific usage rules. */
        INDUSTRY,
        /** Legal rules and disclaimers. */
        LEGAL,
        /** Security guardrails and data handling. */
        SECURITY;

        /** The name in the API: {@code compliance}, {@code brand}, ... */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The type named {@code id} (any case); empty when there is none. */
        public static Optional<Type> parse(String id) {
            for (Type type : values()) {
                if (type.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(type);
                }
            }
            return Optional.empty();
        }
    }

    /** How much a match weighs, lowest first. */
    public enum Severity {
        LOW, MEDIUM, HIGH, CRITICAL;

        /** The name in the API: {@code low}, ... {@code critical}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The severity named {@code id} (any case); empty when there is none. */
        public static Optional<Severity> parse(String id) {
            for (Severity severity : values()) {
                if (severity.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(severity);
                }
            }
            return Optional.empty();
        }
    }

    /** What a match does, mildest first: the strongest action among the policies a request matched is taken. */
    public enum Action {
        /** The request goes on; the audit record names the policy. */
        LOG,
        /** What matched is taken out of the request, which goes on. */
        REDACT,
        /** The request is refused (403 {@code compliance_violation}). */
        BLOCK;

        /** The name in the API: {@code log}, {@code redact}, {@code block}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The action named {@code id} (any case); empty when there is none. */
        public static Optional<Action> parse(String id) {
            for (Action action : values()) {
                if (action.id().equalsIgnoreCase(id.strip())) {
                    return Optional.of(action);
                }
            }
            return Optional.empty();
        }

        /** A policy's action when none is given: critical and high severities block, the others log. */
        public static Action defaultFor(Severity severity) {
            return severity.compareTo(Severity.HIGH) >= 0 ? BLOCK : LOG;
        }
    }

    /**
     * Which callers a policy applies to, from the reference's {@code metadata}: each list empty means no restriction;
     * a list with entries admits only callers who match one of them.
     *
     * @param sourceIps    client addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code 2001:db8::/32})
     * @param adGroups     directory groups (a virtual key's {@code ad_groups} tag)
     * @param departments  departments (a virtual key's {@code department} tag)
     * @param applications applications (a virtual key's {@code application} tag)
     */
    public record Targeting(List<String> sourceIps, List<String> adGroups, List<String> departments,
                            List<String> applications) {
        /** Every caller. */
        public static final Targeting NONE = new Targeting(List.of(), List.of(), List.of(), List.of());

        public Targeting {
            sourceIps = List.copyOf(sourceIps);
            adGroups = List.copyOf(adGroups);
            departments = List.copyOf(departments);
            applications = List.copyOf(applications);
        }

        /** True when no list restricts the callers. */
        public boolean everyone() {
            return sourceIps.isEmpty() && adGroups.isEmpty() && departments.isEmpty() && applications.isEmpty();
        }
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
    }

    /** Builds a {@link Policy}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final String id;
        private final Instant createdAt;
        private String name;
        private Type type;
        private String content;
        private String description = "";
        private int priority = 50;
        private List<String> applicableProviders = List.of(ALL);
        private List<String> applicableModels = List.of(ALL);
        private Optional<String> regulatoryFramework = Optional.empty();
        private Severity severity = Severity.MEDIUM;
        private Optional<Action> action = Optional.empty();
        private Targeting targeting = Targeting.NONE;
        private List<String> detectors = List.of();
        private boolean active = true;
        private Instant updatedAt;

        private Builder(String id, String name, Type type, String content, Instant createdAt) {
            this.id = id;
            this.name = name;
            this.type = type;
            this.content = content;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        public Builder type(Type value) {
            this.type = Objects.requireNonNull(value, "type");
            return this;
        }

        public Builder content(String value) {
            this.content = Objects.requireNonNull(value, "content");
            return this;
        }

        public Builder description(String value) {
            this.description = Objects.requireNonNull(value, "description");
            return this;
        }

        public Builder priority(int value) {
            this.priority = value;
            return this;
        }

        public Builder applicableProviders(List<String> value) {
            this.applicableProviders = Objects.requireNonNull(value, "applicableProviders");
            return this;
        }

        public Builder applicableModels(List<String> value) {
            this.applicableModels = Objects.requireNonNull(value, "applicableModels");
            return this;
        }

        public Builder regulatoryFramework(Optional<String> value) {
            this.regulatoryFramework = Objects.requireNonNull(value, "regulatoryFramework");
            return this;
        }

        /** The severity; unless an action was set, the action becomes the severity's default. */
        public Builder severity(Severity value) {
            this.severity = Objects.requireNonNull(value, "severity");
            return this;
        }

        public Builder action(Action value) {
            this.action = Optional.of(Objects.requireNonNull(value, "action"));
            return this;
        }

        public Builder targeting(Targeting value) {
            this.targeting = Objects.requireNonNull(value, "targeting");
            return this;
        }

        public Builder detectors(List<String> value) {
            this.detectors = Objects.requireNonNull(value, "detectors");
            return this;
        }

        public Builder active(boolean value) {
            this.active = value;
            return this;
        }

        public Builder updatedAt(Instant value) {
            this.updatedAt = Objects.requireNonNull(value, "updatedAt");
            return this;
        }

        /**
         * @throws NullPointerException     when a required value is missing
         * @throws IllegalArgumentException when a text is blank, the priority out of range or a list empty (the
         *                                  message names the field)
         */
        public Policy build() {
            return new Policy(id, name, description, type, content, priority, applicableProviders, applicableModels,
                    regulatoryFramework, severity, action.orElseGet(() -> Action.defaultFor(severity)), targeting,
                    detectors, active, createdAt, updatedAt);
        }
    }
}
