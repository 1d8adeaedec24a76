package dev.smartflow.cache.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.smartflow.testkit.Concurrently;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled model, really run (offline): meaning, shape, stability, loading and where files go. */
class OnnxEmbedderTest {
    private static final String QUESTION = "How do I reset my password?";
    /**
     * The first components of {@link #QUESTION}'s vector, computed once with this model (and checked against a second
     * computation straight through ONNX Runtime below).
     */
    private static final float[] QUESTION_PREFIX = {0.011720721f, -0.05651774f, -0.0754402f, -0.04167836f};

    private final OnnxEmbedder embedder = TestModel.embedder();

    @Test
    void aParaphraseIsCloserThanAnUnrelatedSentence() {
        float[] question = embedder.embed(QUESTION);
        float[] paraphrase = embedder.embed("What is the procedure to change my password?");
        float[] unrelated = embedder.embed("The weather in Paris is sunny today.");

        double near = dot(question, paraphrase);
        double far = dot(question, unrelated);
        assertTrue(near > 0.7, "paraphrase similarity " + near);
        assertTrue(far < 0.2, "unrelated similarity " + far);
    }

    @Test
    void vectorsHave384ComponentsAndUnitLength() {
        for (String text : List.of(QUESTION, "", "a", "¿Dónde está la estación? 東京駅はどこですか 🚉")) {
            float[] vector = embedder.embed(text);

            assertEquals(384, vector.length);
            assertEquals(1.0, Math.sqrt(dot(vector, vector)), 1e-5, text);
        }
        assertEquals(384, embedder.dimensions());
        assertEquals("all-minilm-l6-v2-q", embedder.model());
    }

    @Test
    void theSameTextGivesTheSameVectorAloneOrAmongOthers() {
        float[] alone = embedder.embed(QUESTION);
        List<float[]> among = embedder.embedAll(List.of("Something else entirely, and longer than the question.",
                QUESTION, QUESTION));

        assertArrayEquals(alone, embedder.embed(QUESTION));
        assertArrayEquals(alone, among.get(1));
        assertArrayEquals(alone, among.get(2));
    }

    @Test
    void theReferenceVectorIsPinned() {
        float[] vector = embedder.embed(QUESTION);

        for (int i = 0; i < QUESTION_PREFIX.length; i++) {
            assertEquals(QUESTION_PREFIX[i], vector[i], 1e-4, "component " + i);
        }
    }

    @Test
    void aSecondComputationStraightThroughOnnxRuntimeAgrees() throws Exception {
        Path folder = TestModel.DATA.resolve("models").resolve("all-minilm-l6-v2-q-1.20.0-beta30");
        embedder.embed(QUESTION); // the files are there once the model has loaded
        float[] independent;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                folder.resolve("all-minilm-l6-v2-q-tokenizer.json"), Map.of("padding", "false"))) {
            Encoding encoding = tokenizer.encode(QUESTION);
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            try (OrtSession session = environment.createSession(folder.resolve("all-minilm-l6-v2-q.onnx").toString(),
                    new OrtSession.SessionOptions());
                 OnnxTensor ids = OnnxTensor.createTensor(environment, new long[][] {encoding.getIds()});
                 OnnxTensor mask = OnnxTensor.createTensor(environment, new long[][] {encoding.getAttentionMask()});
                 OnnxTensor types = OnnxTensor.createTensor(environment, new long[][] {encoding.getTypeIds()});
                 OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                         "token_type_ids", types))) {
                float[][] states = ((float[][][]) result.get("last_hidden_state").orElseThrow().getValue())[0];
                independent = new float[384];
                for (float[] state : states) {
                    for (int d = 0; d < 384; d++) {
                        independent[d] += state[d] / states.length;
                    }
                }
            }
        }
        double norm = Math.sqrt(dot(independent, independent));
        float[] vector = embedder.embed(QUESTION);
        for (int d = 0; d < 384; d++) {
            assertEquals(independent[d] / norm, vector[d], 1e-5, "component " + d);
        }
        for (int i = 0; i < QUESTION_PREFIX.length; i++) {
            assertEquals(QUESTION_PREFIX[i], independent[i] / norm, 1e-4, "component " + i);
        }
    }

    @Test
    void concurrentCallersGetTheVectorsOfSequentialCalls() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            texts.add("Question number " + i + ": how many " + "very ".repeat(i) + "long words fit here?");
        }
        List<float[]> sequential = new ArrayList<>();
        for (String text : texts) {
            sequential.add(embedder.embed(text));
        }

        List<float[]> concurrent = Concurrently.run(200, i -> embedder.embed(texts.get(i % texts.size())));

        for (int i = 0; i < concurrent.size(); i++) {
            assertArrayEquals(sequential.get(i % texts.size()), concurrent.get(i), "call " + i);
        }
    }

    @Test
    void textBeyond256WordPiecesIsCutOff() {
        String longText = "The quick brown fox jumps over the lazy dog. ".repeat(60); // about 600 word pieces

        float[] one = embedder.embed(longText + "Cats are wonderful pets.");
        float[] other = embedder.embed(longText + "The stock market fell sharply.");

        assertArrayEquals(one, other);
    }

    @Test
    void tensorBatchesStayCloseToSingleRuns() {
        List<String> texts = List.of(QUESTION, "What is the procedure to change my password?",
                "The weather in Paris is sunny today.", "a");
        try (OnnxEmbedder batched = OnnxEmbedder.builder(TestModel.DATA).tensorBatches(true).start()) {
            List<float[]> together = batched.embedAll(texts);
            for (int i = 0; i < texts.size(); i++) {
                float[] alone = embedder.embed(texts.get(i));
                assertTrue(dot(alone, together.get(i)) > 0.98, "text " + i + ": " + dot(alone, together.get(i)));
                assertEquals(1.0, Math.sqrt(dot(together.get(i), together.get(i))), 1e-5);
            }
        }
    }

    @Test
    void theModelIsCopiedOnceIntoAVersionedFolderOfTheDataDir(@TempDir Path dataDir) throws Exception {
        Path folder = dataDir.resolve("models").resolve("all-minilm-l6-v2-q-1.20.0-beta30");
        try (OnnxEmbedder first = OnnxEmbedder.builder(dataDir).start()) {
            first.embed(QUESTION);
        }
        Path model = folder.resolve("all-minilm-l6-v2-q.onnx");
        assertTrue(Files.size(model) > 20_000_000);
        assertTrue(Files.isRegularFile(folder.resolve("all-minilm-l6-v2-q-tokenizer.json")));
        FileTime copied = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(model, copied);

        try (OnnxEmbedder second = OnnxEmbedder.builder(dataDir).start()) {
            second.embed(QUESTION);
        }

        assertEquals(copied, Files.getLastModifiedTime(model));
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(2, files.count(), "no partial copies are left");
        }
    }

    @Test
    void aTruncatedCopyIsReplaced(@TempDir Path dataDir) throws Exception {
        Path folder = Files.createDirectories(dataDir.resolve("models").resolve("all-minilm-l6-v2-q-1.20.0-beta30"));
        Files.writeString(folder.resolve("all-minilm-l6-v2-q.onnx"), "half a model");

        try (OnnxEmbedder repaired = OnnxEmbedder.builder(dataDir).start()) {
            assertEquals(384, repaired.embed(QUESTION).length);
        }
        assertTrue(Files.size(folder.resolve("all-minilm-l6-v2-q.onnx")) > 20_000_000);
    }

    @Test
    void djlWritesOnlyUnderTheConfiguredCacheDirectory() throws Exception {
        embedder.embed(QUESTION);
        Path cache = Path.of(System.getProperty("DJL_CACHE_DIR"));

        assertEquals(TestModel.DATA.resolve("djl"), cache, "the first embedder's data directory");
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.anyMatch(file -> file.getFileName().toString().equals("libtokenizers.so")
                    || file.getFileName().toString().startsWith("libtokenizers")), "the tokenizer library is in "
                    + cache);
        }
        assertFalse(Files.exists(Path.of(System.getProperty("user.home"), ".djl.ai")), "~/.djl.ai was created");
        assertEquals("true", System.getProperty("ai.djl.offline"));
    }

    @Test
    void readyTurnsTrueOnceTheModelHasLoaded(@TempDir Path dataDir) {
        try (OnnxEmbedder fresh = OnnxEmbedder.builder(dataDir).start()) {
            assertNotNull(fresh.embed(QUESTION)); // waits for the load

            assertTrue(fresh.ready());
        }
    }

    @Test
    void aCallThatOutwaitsTheLoadTimeoutFailsAndSaysSo(@TempDir Path dataDir) {
        try (OnnxEmbedder slow = OnnxEmbedder.builder(dataDir).loadTimeout(Duration.ofNanos(1)).start()) {
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> slow.embed(QUESTION));

            assertTrue(failure.getMessage().contains("still loading"), failure.getMessage());
        }
    }

    @Test
    void aModelThatCannotLoadFailsEveryCallWithTheReason(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("data"), "a file where the data directory should be");

        try (OnnxEmbedder broken = OnnxEmbedder.builder(notADirectory).start()) {
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> broken.embed(QUESTION));

            assertTrue(failure.getMessage().contains("could not be loaded"), failure.getMessage());
            assertFalse(broken.ready());
        }
    }

    @Test
    void aClosedEmbedderRefusesCalls(@TempDir Path dataDir) {
        OnnxEmbedder closed = OnnxEmbedder.builder(dataDir).start();
        closed.close();

        assertThrows(IllegalStateException.class, () -> closed.embed(QUESTION));
        assertFalse(closed.ready());
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
