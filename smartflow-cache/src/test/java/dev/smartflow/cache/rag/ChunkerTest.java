package dev.smartflow.cache.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {
    @Test
    void aTextShorterThanAChunkIsOneTrimmedChunk() {
        assertEquals(List.of("Hello world."), Chunker.split("  Hello world. \n", 100, 10));
    }

    @Test
    void blankTextHasNoChunks() {
        assertEquals(List.of(), Chunker.split(" \n\t ", 100, 10));
    }

    @Test
    void aParagraphBreakInTheSecondHalfIsPreferredToALaterSentenceEnd() {
        String first = "First paragraph has some words. It goes on a little.";
        String text = first + "\n\nSecond paragraph. It is long enough to pass the limit of one chunk.";

        List<String> chunks = Chunker.split(text, 80, 0);

        assertEquals(first, chunks.getFirst());
    }

    @Test
    void withoutAParagraphBreakAChunkEndsAfterASentence() {
        String text = "One short sentence here. Another sentence follows it. And a third one that runs past.";

        List<String> chunks = Chunker.split(text, 60, 0);

        assertEquals("One short sentence here. Another sentence follows it.", chunks.getFirst());
        assertEquals("And a third one that runs past.", chunks.get(1));
    }

    @Test
    void withoutASentenceEndAChunkEndsBetweenWords() {
        String text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho";

        for (String chunk : Chunker.split(text, 30, 0)) {
            assertTrue(chunk.length() <= 30, chunk);
            for (String word : chunk.split(" ")) {
                assertTrue(text.contains(" " + word + " ") || text.startsWith(word + " ") || text.endsWith(" " + word),
                        "whole words only: " + word);
            }
        }
    }

    @Test
    void consecutiveChunksOverlapByAboutTheOverlapStartingAtAWord() {
        String text = String.join(" ", IntStream.range(0, 300).mapToObj(i -> "t" + i).toList());

        List<String> chunks = Chunker.split(text, 100, 20);

        for (int i = 1; i < chunks.size(); i++) {
            String previous = " " + chunks.get(i - 1) + " ";
            String firstWord = chunks.get(i).split(" ")[0];
            int at = previous.indexOf(" " + firstWord + " ");
            assertTrue(at >= 0, "chunk " + i + " starts with a whole word of the chunk before");
            int repeated = previous.length() - at - 2;
            assertTrue(repeated > 0 && repeated <= 20, "chunk " + i + " repeats " + repeated + " characters");
        }
        assertEquals("t299", chunks.getLast().substring(chunks.getLast().lastIndexOf(' ') + 1));
    }

    @Test
    void aWordLongerThanHalfAChunkIsCutInsideAndNothingIsLost() {
        String text = "x".repeat(250);

        List<String> chunks = Chunker.split(text, 100, 0);

        assertEquals(List.of("x".repeat(100), "x".repeat(100), "x".repeat(50)), chunks);
    }

    @Test
    void surrogatePairsAreNeverSplit() {
        String text = "𝄞".repeat(120);

        for (String chunk : Chunker.split(text, 101, 10)) {
            assertFalse(Character.isLowSurrogate(chunk.charAt(0)), "a chunk starts inside a pair");
            assertFalse(Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)), "a chunk ends inside a pair");
        }
    }

    @Test
    void everyChunkIsAtMostTheSizeAndEveryWordOfRandomTextIsKept() {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder();
        String[] separators = {" ", " ", " ", ". ", "\n", "\n\n", ", "};
        for (int i = 0; i < 3_000; i++) {
            text.append("w").append(i).append(separators[random.nextInt(separators.length)]);
        }

        List<String> chunks = Chunker.split(text.toString(), 200, 40);

        String joined = String.join(" ", chunks);
        for (int i = 0; i < 3_000; i++) {
            assertTrue(joined.contains("w" + i), "w" + i + " is kept");
        }
        chunks.forEach(chunk -> assertTrue(chunk.length() <= 200 && !chunk.isBlank(), chunk));
    }

    @Test
    void anOverlapOfMoreThanHalfAChunkIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Chunker.split("text", 100, 51));
        assertThrows(IllegalArgumentException.class, () -> Chunker.split("text", 100, -1));
    }
}
