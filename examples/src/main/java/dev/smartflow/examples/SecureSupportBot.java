package dev.smartflow.examples;

import dev.smartflow.client.ComplianceException;
import dev.smartflow.client.SmartflowAgent;
import dev.smartflow.client.SmartflowException;
import dev.smartflow.client.SyncSmartflowClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The SDK guide's first use case: a customer support agent under the {@code pci_dss_strict} policy. Every customer
 * message and every answer is scanned; a message with a card number is blocked before it reaches the model, and the
 * customer is pointed to the secure channel instead. Needs the gateway's compliance module (the scans are its
 * {@code POST /api/compliance/scan}); without it the example says so and stops.
 *
 * <pre>
 * examples/run.sh SecureSupportBot                 # a scripted customer
 * examples/run.sh SecureSupportBot --interactive   # type as the customer; "quit" ends
 * </pre>
 */
public final class SecureSupportBot {
    static final String SYSTEM_PROMPT = """
            You are a helpful customer support agent.

            CRITICAL RULES:
            1. NEVER ask customers for full credit card numbers, SSNs, or passwords
            2. If a customer shares sensitive info, acknowledge receipt but do not repeat it
            3. For account verification, use last 4 digits only
            4. Always offer secure channels for sensitive transactions""";
    static final String SECURE_CHANNEL = "Support: For your protection, please use our secure verification process.";
    static final List<String> SCRIPTED_CUSTOMER = List.of(
            "Hi, I can't log into my account",
            "My card number is 4111 1111 1111 1111, can you check it?",
            "OK, the last four digits are 1111",
            "quit");
    static final String NO_COMPLIANCE = "This example needs the gateway's compliance module (POST"
            + " /api/compliance/scan on the compliance port), which this gateway does not have: its agent scans every"
            + " message before sending it.";

    private SecureSupportBot() {
    }

    public static void main(String[] args) {
        List<String> customer = args.length > 0 && args[0].equals("--interactive") ? stdin() : SCRIPTED_CUSTOMER;
        try (LocalGateway gateway = LocalGateway.connect((model, system, message) ->
                "Thanks for reaching out. I can help with that; for account checks I only need the last 4 digits.")) {
            if (!gateway.hasModule("compliance")) {
                System.out.println(NO_COMPLIANCE);
                return;
            }
            handleSession(gateway.client(), "12345", "fintech_corp", customer).forEach(System.out::println);
        }
    }

    /** One support session: each customer line and what support answered, until "quit". */
    static List<String> handleSession(SyncSmartflowClient sf, String customerId, String organization,
                                      List<String> customer) {
        SmartflowAgent agent = SmartflowAgent.builder(sf)
                .name("SecureSupport")
                .model("gpt-4o")
                .systemPrompt(SYSTEM_PROMPT)
                .compliancePolicy("pci_dss_strict")
                .enableComplianceScan(true)
                .userId("customer_" + customerId)
                .orgId(organization)
                .build();
        List<String> transcript = new ArrayList<>();
        for (String line : customer) {
            if (line.equalsIgnoreCase("quit")) {
                break;
            }
            transcript.add("Customer: " + line);
            try {
                transcript.add("Support: " + agent.chat(line));
            } catch (ComplianceException e) {
                transcript.add(SECURE_CHANNEL);
            } catch (SmartflowException e) {
                transcript.add("Support: Sorry, something went wrong (" + e.getMessage() + ")");
            }
        }
        return transcript;
    }

    private static List<String> stdin() {
        List<String> lines = new ArrayList<>();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equalsIgnoreCase("quit"); line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
