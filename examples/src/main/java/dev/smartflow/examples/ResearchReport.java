package dev.smartflow.examples;

import dev.smartflow.client.SmartflowAgent;
import dev.smartflow.client.SyncSmartflowClient;
import dev.smartflow.client.VasLog;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The SDK guide's third use case: a researcher, an analyst, a writer and (in deep mode) an editor, each an agent with
 * its own role, pass their work along to produce a report; the run's audit trail (model, tokens, whether cached, for
 * each call) comes from the gateway's audit log.
 *
 * <pre>
 * examples/run.sh ResearchReport "AI agents in enterprise 2026" deep
 * </pre>
 */
public final class ResearchReport {
    /** One audited call of the run. */
    record AuditEntry(Instant timestamp, String model, long tokens, boolean cached, String userId) {
    }

    /** The report and how it was made. */
    record Report(String topic, Instant timestamp, String report, List<String> agentsUsed,
                  List<AuditEntry> auditTrail) {
    }

    private ResearchReport() {
    }

    public static void main(String[] args) {
        String topic = args.length > 0 ? args[0] : "AI agents in enterprise 2026";
        String depth = args.length > 1 ? args[1] : "deep";
        try (LocalGateway gateway = LocalGateway.connect(ResearchReport::scriptedRole)) {
            Report report = researchTopic(gateway.client(), topic, depth, InstantSource.system());
            System.out.println("Topic: " + report.topic() + " (" + report.timestamp() + ")");
            System.out.println("Agents: " + String.join(" -> ", report.agentsUsed()));
            System.out.println(report.report());
            report.auditTrail().forEach(entry -> System.out.println("  [" + entry.timestamp() + "] " + entry.model()
                    + " tokens=" + entry.tokens() + (entry.cached() ? " [CACHED]" : "")));
        }
    }

    /** What the scripted model says in each role, so the hand-offs can be followed. */
    static String scriptedRole(String model, String system, String message) {
        String role = system.startsWith("You are a thorough research") ? "Findings"
                : system.startsWith("You are a strategic") ? "Insights"
                : system.startsWith("You are an expert business") ? "Executive report"
                : system.startsWith("You are a senior editor") ? "Polished report" : "Answer";
        return role + " (" + message.length() + " characters considered).";
    }

    private static SmartflowAgent agent(SyncSmartflowClient sf, String name, String systemPrompt, double temperature) {
        return SmartflowAgent.builder(sf).name(name).model("gpt-4o").systemPrompt(systemPrompt)
                .temperature(temperature).userId("research_system").orgId("analytics_dept").build();
    }

    static Report researchTopic(SyncSmartflowClient sf, String topic, String depth, InstantSource clock) {
        Instant timestamp = clock.instant();
        List<String> requestIds = new ArrayList<>();
        List<String> agents = new ArrayList<>();

        SmartflowAgent researcher = agent(sf, "Researcher",
                "You are a thorough research analyst. Provide structured findings.", 0.7);
        String research = researcher.chat("Research this topic: " + topic);
        record(researcher, agents, requestIds);
        if (depth.equals("quick")) {
            return new Report(topic, timestamp, research, agents, auditTrail(sf, requestIds));
        }

        SmartflowAgent analyst = agent(sf, "Analyst",
                "You are a strategic analyst. Identify patterns, risks, opportunities.", 0.7);
        String analysis = analyst.chat("Analyze and provide strategic insights:\n\n" + research);
        record(analyst, agents, requestIds);

        SmartflowAgent writer = agent(sf, "Writer",
                "You are an expert business writer. Synthesize research for executives.", 0.7);
        String report = writer.chat("Write an executive report from this research and analysis:\n\nRESEARCH:\n"
                + research + "\n\nANALYSIS:\n" + analysis);
        record(writer, agents, requestIds);

        if (depth.equals("deep")) {
            SmartflowAgent editor = agent(sf, "Editor",
                    "You are a senior editor. Review for accuracy, clarity, and flow.", 0.3);
            report = editor.chat("Polish this report:\n\n" + report + "\n\nSource research:\n" + research);
            record(editor, agents, requestIds);
        }
        return new Report(topic, timestamp, report, agents, auditTrail(sf, requestIds));
    }

    private static void record(SmartflowAgent agent, List<String> agents, List<String> requestIds) {
        agents.add(agent.name());
        agent.lastResponse().flatMap(r -> r.requestId()).ifPresent(requestIds::add);
    }

    /**
     * This run's calls from the audit log, oldest first. The gateway writes audit records just behind each answer, so
     * this waits (up to five seconds) for the last ones to land.
     */
    static List<AuditEntry> auditTrail(SyncSmartflowClient sf, List<String> requestIds) {
        Set<String> wanted = new HashSet<>(requestIds);
        List<VasLog> found = List.of();
        for (int attempt = 0; attempt < 50; attempt++) {
            found = sf.getLogs(Math.max(10, wanted.size() * 4)).stream()
                    .filter(log -> wanted.contains(log.requestId())).toList();
            if (found.size() == wanted.size()) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return found.reversed().stream().map(log -> new AuditEntry(log.timestamp(), log.model(), log.tokensUsed(),
                log.cached(), log.userId().orElse(""))).toList();
    }
}
