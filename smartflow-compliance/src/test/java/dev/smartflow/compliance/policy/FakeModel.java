package dev.smartflow.compliance.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;

/**
 * The model a document job talks to, behind {@link FakeOpenAi}: it answers each chunk with a suggestion for every
 * {@code RULE: name | type | framework} line the chunk holds, in the JSON the prompt asks for. A part can be held
 * ({@link #hold}) until the test releases it, so a test can watch a job stand between chunks; {@link #parts} records
 * which parts were asked for, in order.
 */
final class FakeModel {
    private static final Pattern PART = Pattern.compile("part (\\d+) of (\\d+)");
    private static final Pattern RULE = Pattern.compile("RULE: ([^|\\n]+)\\|([^|\\n]+)\\|([^\\n]+)");

    final List<Integer> parts = new CopyOnWriteArrayList<>();
    final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Map<Integer, CountDownLatch> holds = new ConcurrentHashMap<>();
    private volatile String answerOverride;

    /** Holds part {@code part} (from 1) until {@link #release}. */
    void hold(int part) {
        holds.put(part, new CountDownLatch(1));
    }

    void release(int part) {
        CountDownLatch latch = holds.remove(part);
        if (latch != null) {
            latch.countDown();
        }
    }

    void releaseAll() {
        List.copyOf(holds.keySet()).forEach(this::release);
    }

    /** Answers every part with this content from now on (e.g. text that is not JSON). */
    void answerWith(String content) {
        this.answerOverride = content;
    }

    MockResponse answer(JsonNode request) {
        requests.add(request);
        String user = request.path("messages").get(1).path("content").asText();
        Matcher part = PART.matcher(user);
        int number = part.find() ? Integer.parseInt(part.group(1)) : 0;
        parts.add(number);
        CountDownLatch held = holds.get(number);
        if (held != null) {
            try {
                held.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (answerOverride != null) {
            return FakeOpenAi.chat(answerOverride);
        }
        ObjectNode answer = FakeOpenAi.JSON.createObjectNode();
        ArrayNode policies = answer.putArray("policies");
        Matcher rule = RULE.matcher(user);
        while (rule.find()) {
            String framework = rule.group(3).strip();
            ObjectNode item = policies.addObject().put("name", rule.group(1).strip())
                    .put("type", rule.group(2).strip()).put("content", "Follow the rule: " + rule.group(1).strip()
                            + ".").put("priority", 85).put("confidence", 0.9);
            if (framework.equals("none")) {
                item.putNull("regulatory_framework");
            } else {
                item.put("regulatory_framework", framework);
            }
        }
        return FakeOpenAi.chat(answer.toString());
    }
}
