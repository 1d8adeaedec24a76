package dev.smartflow.providers.anthropic;

import dev.smartflow.providers.WireFixtures;
import java.util.ArrayList;
import java.util.List;

/** Anthropic answers in the documented wire format under {@code fixtures/anthropic/}, and a transcript reader. */
final class AnthropicFixtures {
    private AnthropicFixtures() {
    }

    static String text(String name) {
        return WireFixtures.text("anthropic", name);
    }

    /** The {@code event}, {@code data} pairs of a transcript, split by hand rather than by the decoder under test. */
    static List<String[]> eventsOf(String transcript) {
        List<String[]> out = new ArrayList<>();
        for (String block : transcript.split("\n\n")) {
            String event = "";
            String data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = line.substring(6);
                }
            }
            if (data != null) {
                out.add(new String[] {event, data});
            }
        }
        return out;
    }
}
