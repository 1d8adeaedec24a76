package dev.smartflow.server.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smartflow.core.error.InvalidRequest;
import dev.smartflow.core.exchange.Body;
import dev.smartflow.core.exchange.Upload;
import dev.smartflow.server.http.BodyBudget;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import jakarta.servlet.MultipartConfigElement;
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
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletMultiPartFormData;

/**
 * Reads a {@code multipart/form-data} transcription request: the text fields become the exchange's JSON body, the
 * {@code file} part its {@link Upload}. Jetty spools any part beyond {@value #IN_MEMORY_BYTES} bytes to the upload
 * directory as it arrives, so the audio is never held in memory whole; the provider later streams it from there. A
 * file over the configured cap is refused with 413 while it arrives, a text field over {@value #MAX_FIELD_BYTES}
 * bytes with a 400 that names it, a form of more than {@value #MAX_PARTS} parts with a 400. The parts are deleted once
 * the answer is written, and what a crashed process left in the spool is deleted at start.
 *
 * <p>What a form holds in memory is bounded by its parts: at most {@value #MAX_PARTS} of at most
 * {@value #IN_MEMORY_BYTES} bytes, read once more into the fields' strings. That much (or the form's
 * {@code Content-Length}, if smaller) is charged to the {@link BodyBudget} while the form is read and until its answer
 * is written.
 *
 * <p>The parts are read through {@link ServletMultiPartFormData} rather than {@code HttpServletRequest.getParts()}:
 * the servlet method also turns every text part into a request parameter, as a string and under the context's form
 * size limit (200,000 bytes), whose refusal names no field.
 */
final class Transcriptions {
    /** Parts up to this size stay in memory; larger ones go to disk. */
    static final int IN_MEMORY_BYTES = 64 * 1024;
    /** Text fields are parameters, never documents: a field beyond this is refused. */
    static final int MAX_FIELD_BYTES = 64 * 1024;
    /** OpenAI's form has about a dozen fields; a form of more parts is refused. */
    static final int MAX_PARTS = 32;
    /** What a form can hold in memory, charged to the body budget. */
    private static final long MAX_IN_MEMORY = 2L * MAX_PARTS * IN_MEMORY_BYTES;
    /** Form fields OpenAI types as numbers or booleans; the others stay text. */
    private static final Set<String> NUMBERS = Set.of("temperature");
    private static final Set<String> BOOLEANS = Set.of("stream");

    private final MultipartConfigElement config;
    private final long maxAudioBytes;
    private final long maxFormBytes;
    private final BodyBudget budget;

    /** @param spool where files beyond the in-memory size are written while they arrive; created if absent */
    Transcriptions(Path spool, long maxAudioBytes, BodyBudget budget) throws IOException {
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
        this.budget = budget;
        // the form's text fields and boundaries need a little room beyond the file itself
        this.maxFormBytes = maxAudioBytes + (long) MAX_FIELD_BYTES * MAX_PARTS;
        this.config = new MultipartConfigElement(spool.toString(), maxAudioBytes, maxFormBytes, IN_MEMORY_BYTES);
    }

    /** Limits the parts of a form, which bounds what a form holds in memory. */
    void configure(JavalinConfig app) {
        app.jetty.modifyServletContextHandler(handler -> handler.setMaxFormKeys(MAX_PARTS));
    }

    /** The form, read; {@link Form#close()} deletes what was spooled and releases the form's charge. */
    Form read(Context ctx) {
        String type = ctx.req().getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new InvalidRequest("a transcription request must be multipart/form-data with the audio as 'file'",
                    "invalid_request", "file");
        }
        long declared = ctx.req().getContentLengthLong();
        BodyBudget.Charge charge = budget.admitBytes(declared < 0 ? MAX_IN_MEMORY
                : Math.min(MAX_IN_MEMORY, 2 * declared));
        ctx.req().setAttribute(ServletContextRequest.MULTIPART_CONFIG_ELEMENT, config);
        Collection<Part> parts;
        try {
            parts = ServletMultiPartFormData.from(ctx.req()).get().getParts();
        } catch (ExecutionException | RuntimeException e) {
            charge.close();
            throw refused(e);
        } catch (InterruptedException e) {
            charge.close();
            Thread.currentThread().interrupt();
            throw new InvalidRequest("the multipart form cannot be read", "invalid_request", "file");
        }
        Form form = new Form(parts, charge);
        try {
            ObjectNode fields = Body.MAPPER.createObjectNode();
            Upload upload = null;
            for (Part part : parts) {
                String name = part.getName();
                if (name == null || name.isEmpty()) {
                    // a Content-Disposition without a name: nothing to file the part under
                    throw new InvalidRequest("every part of the form needs a name in its Content-Disposition",
                            "invalid_request", null);
                }
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

    /**
     * Which of Jetty's limits the form broke, told by its message (Jetty's multipart failures carry no type of their
     * own): a part over the audio cap or a form over its total is a 413, too many parts a 400; anything else the
     * parser rejects is a malformed form.
     */
    private RuntimeException refused(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.startsWith("max file size exceeded")) {
                return new HttpResponseException(413, "the audio file (or another part of the form) is larger than "
                        + "the gateway accepts: " + maxAudioBytes + " bytes (max_audio_bytes)");
            }
            if (message.startsWith("max length exceeded")) {
                return new HttpResponseException(413, "the form is larger than the gateway accepts: " + maxFormBytes
                        + " bytes (max_audio_bytes for the file plus " + MAX_PARTS + " fields of up to "
                        + MAX_FIELD_BYTES + " bytes)");
            }
            if (message.contains("too many keys")) {
                return new InvalidRequest("the form has more than " + MAX_PARTS + " parts", "invalid_request", null);
            }
        }
        return new InvalidRequest("the multipart form cannot be read", "invalid_request", "file");
    }

    /** What was read; closing deletes the parts Jetty spooled to disk and releases the form's charge. */
    static final class Form implements AutoCloseable {
        private final Collection<Part> parts;
        private final BodyBudget.Charge charge;
        private Body body = Body.EMPTY;
        private Upload upload;

        private Form(Collection<Part> parts, BodyBudget.Charge charge) {
            this.parts = List.copyOf(parts);
            this.charge = charge;
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
            charge.close();
        }
    }
}
