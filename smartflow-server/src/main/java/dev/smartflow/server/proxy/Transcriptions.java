package dev.smartflow.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Upload;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/**
 * Reads a {@code multipart/form-data} transcription request: the text fields become the exchange's JSON body, the
 * {@code file} part its {@link Upload}. Jetty spools a file beyond {@value #IN_MEMORY_BYTES} bytes to the upload
 * directory as it arrives, so the audio is never held in memory whole; the provider later streams it from there. A
 * file over the configured cap is refused with 413 while it arrives. The parts are deleted once the answer is written,
 * and what a crashed process left in the spool is deleted at start.
 */
final class Transcriptions {
    /** Files up to this size stay in memory; larger ones go to disk. */
    static final int IN_MEMORY_BYTES = 256 * 1024;
    /** Text fields are parameters, never documents: a field beyond this is refused. */
    private static final int MAX_FIELD_BYTES = 64 * 1024;
    /** Form fields OpenAI types as numbers or booleans; the others stay text. */
    private static final Set<String> NUMBERS = Set.of("temperature");
    private static final Set<String> BOOLEANS = Set.of("stream");

    private final MultipartConfigElement config;
    private final long maxAudioBytes;

    /** @param spool where files beyond the in-memory size are written while they arrive; created if absent */
    Transcriptions(Path spool, long maxAudioBytes) throws IOException {
        Files.createDirectories(spool);
        // what is there is left over from a process that died mid-request: every request deletes its own parts
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(spool)) {
            for (Path leftover : leftovers) {
                if (Files.isRegularFile(leftover)) {
                    Files.deleteIfExists(leftover);
                }
            }
        }
        this.maxAudioBytes = maxAudioBytes;
        // the form's text fields and boundaries need a little room beyond the file itself
        this.config = new MultipartConfigElement(spool.toString(), maxAudioBytes, maxAudioBytes + MAX_FIELD_BYTES * 16L,
                IN_MEMORY_BYTES);
    }

    /** The form, read; {@link Form#close()} deletes what was spooled. */
    Form read(Context ctx) {
        String type = ctx.req().getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new InvalidRequest("a transcription request must be multipart/form-data with the audio as 'file'",
                    "invalid_request", "file");
        }
        ctx.req().setAttribute(ServletContextRequest.MULTIPART_CONFIG_ELEMENT, config);
        Collection<Part> parts;
        try {
            parts = ctx.req().getParts();
        } catch (IOException | ServletException | RuntimeException e) {
            throw refused(e);
        }
        Form form = new Form(parts);
        try {
            ObjectNode fields = Body.MAPPER.createObjectNode();
            Upload upload = null;
            for (Part part : parts) {
                String name = part.getName();
                if (part.getSubmittedFileName() != null) {
                    if (name.equals("file")) {
                        upload = new Upload(part.getSubmittedFileName().isBlank() ? "audio"
                                : part.getSubmittedFileName(), part.getContentType() == null ? ""
                                : part.getContentType(), part.getSize(), part::getInputStream);
                    }
                    continue;
                }
                field(fields, name, text(part));
            }
            form.body = Body.of(fields);
            form.upload = upload;
            return form;
        } catch (RuntimeException e) {
            form.close();
            throw e;
        }
    }

    /** A field into the JSON body: {@code name[]} and repeated names as arrays, known numbers and flags typed. */
    private static void field(ObjectNode fields, String rawName, String value) {
        boolean array = rawName.endsWith("[]");
        String name = array ? rawName.substring(0, rawName.length() - 2) : rawName;
        JsonNode existing = fields.get(name);
        if (array || existing != null) {
            ArrayNode values = existing instanceof ArrayNode a ? a : fields.putArray(name);
            if (existing != null && !(existing instanceof ArrayNode)) {
                values.add(existing);
            }
            values.add(value);
            return;
        }
        if (NUMBERS.contains(name)) {
            try {
                fields.put(name, Double.parseDouble(value.strip()));
                return;
            } catch (NumberFormatException e) {
                throw new InvalidRequest("'" + name + "' must be a number", "invalid_request", name);
            }
        }
        if (BOOLEANS.contains(name) && (value.equals("true") || value.equals("false"))) {
            fields.put(name, Boolean.parseBoolean(value));
            return;
        }
        fields.put(name, value);
    }

    private static String text(Part part) {
        if (part.getSize() > MAX_FIELD_BYTES) {
            throw new InvalidRequest("form field '" + part.getName() + "' is longer than " + MAX_FIELD_BYTES
                    + " bytes", "invalid_request", part.getName());
        }
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidRequest("form field '" + part.getName() + "' cannot be read", "invalid_request",
                    part.getName());
        }
    }

    /** Too large is a 413; anything else the parser rejects is a malformed form. */
    private RuntimeException refused(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("max") || message.contains("too large") || message.contains("exceed")) {
                return new HttpResponseException(413, "the audio file is larger than the gateway accepts ("
                        + maxAudioBytes + " bytes)");
            }
        }
        return new InvalidRequest("the multipart form cannot be read", "invalid_request", "file");
    }

    /** What was read; closing deletes the parts Jetty spooled to disk. */
    static final class Form implements AutoCloseable {
        private final Collection<Part> parts;
        private Body body = Body.EMPTY;
        private Upload upload;

        private Form(Collection<Part> parts) {
            this.parts = List.copyOf(parts);
        }

        Body body() {
            return body;
        }

        Optional<Upload> upload() {
            return Optional.ofNullable(upload);
        }

        @Override
        public void close() {
            for (Part part : parts) {
                try {
                    part.delete();
                } catch (IOException | RuntimeException e) {
                    System.getLogger(Transcriptions.class.getName()).log(System.Logger.Level.WARNING,
                            "could not delete a spooled upload: " + e);
                }
            }
        }
    }
}
