package dev.smartflow.cache.metacache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smartflow.core.exchange.Body;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The near-miss guard on its own: what it rejects and why, without an embedding model. */
class GuardTest {
    @Test
    void anotherNumberIsRejected() {
        assertEquals(Optional.of("numbers"), Guard.rejection("refund order 1243", "refund order 1234"));
        assertEquals(Optional.of("numbers"), Guard.rejection("Reserve a table for four", "Reserve a table for six"));
        assertEquals(Optional.of("numbers"), Guard.rejection("What is 5 minus 10?", "What is 10 minus 5?"));
        assertEquals(Optional.of("numbers"), Guard.rejection("Convert 1,000 USD", "Convert 100 USD"));
        assertTrue(Guard.allows("Convert 1,000 USD to EUR", "convert 1000 USD to EUR"));
    }

    @Test
    void anotherEntityIsRejectedWhateverItsCase() {
        assertEquals(Optional.of("entities"), Guard.rejection("What is the capital of Germany?",
                "What is the capital of France?"));
        assertEquals(Optional.of("swap"), Guard.rejection("what is the capital of germany?",
                "what is the capital of france?"));
        assertEquals(Optional.of("entities"), Guard.rejection("How do I convert Fahrenheit to Celsius?",
                "How do I convert Celsius to Fahrenheit?"));
        assertTrue(Guard.allows("Who discovered penicillin?", "Penicillin was discovered by whom?"));
    }

    @Test
    void datesNegationsQuotesAndAntonymsAreRejected() {
        assertEquals(Optional.of("dates"), Guard.rejection("Weather for tomorrow?", "Weather for today?"));
        assertEquals(Optional.of("dates"), Guard.rejection("Events in March", "Events in April"));
        assertEquals(Optional.of("negation"), Guard.rejection("Which foods are not safe for dogs?",
                "Which foods are safe for dogs?"));
        assertEquals(Optional.of("negation"), Guard.rejection("Why doesn't my code compile?",
                "Why does my code compile?"));
        assertEquals(Optional.of("quoted"), Guard.rejection("Search for \"blue widget\"", "Search for \"red widget\""));
        assertEquals(Optional.of("swap"), Guard.rejection("How do I disable notifications?",
                "How do I enable notifications?"));
        assertEquals(Optional.of("swap"), Guard.rejection("What is the worst selling car?",
                "What is the best selling car?"));
    }

    @Test
    void rewordingsThatKeepEveryFactPass() {
        assertTrue(Guard.allows("How can I reset my password?", "How do I reset my password?"));
        assertTrue(Guard.allows("Which city is the capital of France?", "What is the capital of France?"));
        assertTrue(Guard.allows("How do I change my billing address?", "How do I update my billing address?"));
        assertTrue(Guard.allows("What's the biggest ocean on Earth?", "What is the largest ocean on Earth?"));
    }

    @Test
    void noNearMissOfTheEvaluationSetPassesAndMostParaphrasesDo() throws IOException {
        List<String> passed = new ArrayList<>();
        int paraphrases = 0;
        int allowed = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                GuardTest.class.getResourceAsStream("/metacache/semantic-eval.jsonl"), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode pair = Body.MAPPER.readTree(line);
                boolean allows = Guard.allows(pair.path("query").asText(), pair.path("stored").asText());
                if (pair.path("kind").asText().equals("near_miss") && allows) {
                    passed.add(pair.path("stored").asText() + " / " + pair.path("query").asText());
                }
                if (pair.path("hit").asBoolean()) {
                    paraphrases++;
                    allowed += allows ? 1 : 0;
                }
            }
        }
        assertEquals(List.of(), passed);
        assertFalse(paraphrases == 0);
        assertTrue(allowed >= 0.85 * paraphrases, allowed + " of " + paraphrases + " paraphrases pass");
    }
}
