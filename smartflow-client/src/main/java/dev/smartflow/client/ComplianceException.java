package dev.smartflow.client;

import java.util.List;
import java.util.Optional;

/**
 * A compliance policy blocked the content: a 403 {@code compliance_violation} from the gateway, or a scan made by
 * {@link SmartflowAgent} or {@link SmartflowWorkflow} that recommended blocking. {@link #findingTypes()} names what was
 * found ({@code credit_card}, {@code ssn}, ...), never the values.
 */
public final class ComplianceException extends SmartflowException {
    private final List<String> findingTypes;
    private final ComplianceResult scan;

    ComplianceException(String message, int status, String type, String code, String requestId,
                        List<String> findingTypes) {
        super(message, status, type, code, null, requestId, null);
        this.findingTypes = List.copyOf(findingTypes);
        this.scan = null;
    }

    /** A block decided on the client side from {@code scan}. */
    ComplianceException(String message, ComplianceResult scan) {
        super(message, 0, "compliance_violation", "compliance_blocked", null, null, null);
        this.findingTypes = scan.findingTypes();
        this.scan = scan;
    }

    /** The types of what was found, e.g. {@code credit_card}; empty when the gateway did not list them. */
    public List<String> findingTypes() {
        return findingTypes;
    }

    /** The scan that decided the block, when the client made it. */
    public Optional<ComplianceResult> scan() {
        return Optional.ofNullable(scan);
    }
}
