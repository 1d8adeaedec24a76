package dev.smartflow.compliance.redact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smartflow.compliance.detect.EntityType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestorerTest {
    private Pseudonymizer pseudonyms;
    private String email;

    @BeforeEach
    void pseudonymise() {
        pseudonyms = new Pseudonymizer(PseudonymKeys.random(), "org:acme");
        email = pseudonyms.placeholder(EntityType.EMAIL, "john@example.com");
    }

    @Test
    void aWholeAnswerGetsItsValuesBack() {
        assertEquals("Write to john@example.com today.",
                Restorer.restoreAll("Write to " + email + " today.", pseudonyms.vault()));
    }

    @Test
    void unknownPlaceholdersAndOtherBracketsStayAsTheyAre() {
        String text = "[EMAIL_AAAAAAAA] and [1] and [EMAIL] and " + email.substring(0, email.length() - 1);
        assertEquals(text, Restorer.restoreAll(text, pseudonyms.vault()));
    }

    @Test
    void aPlaceholderSplitAtEveryPointAcrossChunksIsRestored() {
        String answer = "Sure, I will write to " + email + " now.";
        for (int cut = 1; cut < answer.length(); cut++) {
            Restorer restorer = new Restorer(pseudonyms.vault());
            String shown = restorer.push(answer.substring(0, cut)) + restorer.push(answer.substring(cut))
                    + restorer.flush();
            assertEquals("Sure, I will write to john@example.com now.", shown, "cut at " + cut);
        }
    }

    @Test
    void onlyAPossiblePlaceholderPrefixIsHeldBack() {
        Restorer restorer = new Restorer(pseudonyms.vault());
        assertEquals("Hello ", restorer.push("Hello [EMA"));
        assertEquals(4, restorer.holding());
        assertEquals("[EMAil is", restorer.push("il is"));
        assertEquals(0, restorer.holding());
        assertEquals("a [1] list", restorer.push("a [1] list"));
    }

    @Test
    void aStreamOfOneCharacterChunksComesOutWhole() {
        String answer = email + "," + email + "!";
        Restorer restorer = new Restorer(pseudonyms.vault());
        List<String> out = new ArrayList<>();
        for (char c : answer.toCharArray()) {
            out.add(restorer.push(String.valueOf(c)));
        }
        out.add(restorer.flush());
        assertEquals("john@example.com,john@example.com!", String.join("", out));
    }

    @Test
    void withoutPseudonymsNothingIsHeld() {
        Restorer restorer = new Restorer(new Vault());
        assertEquals("[EMAIL_", restorer.push("[EMAIL_"));
    }
}
