package dev.smartflow.compliance.policy;

import dev.smartflow.core.error.GatewayError;
import dev.smartflow.core.error.InvalidRequest;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.zip.ZipFile;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.servlet.ServletMultiPartFormData;

/**
 * Reads a document upload ({@code multipart/form-data}: the document as {@code file}, optionally the {@code model} to
 * analyse it with). Jetty spools the file to {@code <data dir>/policy-uploads} as it arrives once it passes 64 KiB, so
 * a document is never held in memory whole; one over the limit is refused with 413 while it arrives (or at once, when
 * its {@code Content-Length} says so). The document is then checked (its first bytes say what it is; a PDF must open
 * without a password, a DOCX must be a Word package, a text file UTF-8) and moved to where its job will read it. Every
 * refusal is a 4xx naming what is wrong; nothing is kept of a refused upload.
 */
final class DocumentUpload {
    static final int IN_MEMORY_BYTES = 64 * 1024;
    static final int MAX_PARTS = 8;
    private static final int MAX_FIELD_BYTES = 1024;
    private static final byte[] PDF = "%PDF-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] OLE2 = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0};

    private final long maxBytes;
    private final long maxFormBytes;
    private final MultipartConfigElement config;

    /** @throws UncheckedIOException when the spool directory cannot be made */
    DocumentUpload(Path spool, long maxBytes) {
        try {
            Files.createDirectories(spool);
            // what is there was left by a process that died mid-upload: every upload deletes its own parts
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(spool)) {
                for (Path leftover : leftovers) {
                    if (Files.isRegularFile(leftover)) {
                        Files.deleteIfExists(leftover);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + spool, e);
        }
        this.maxBytes = maxBytes;
        this.maxFormBytes = maxBytes + (long) MAX_PARTS * MAX_FIELD_BYTES + 64 * 1024;
        this.config = new MultipartConfigElement(spool.toString(), maxBytes, maxFormBytes, IN_MEMORY_BYTES);
    }

    /** Limits the parts of a form on the service's servlet context. */
    void configure(JavalinConfig app) {
        app.jetty.modifyServletContextHandler(handler -> handler.setMaxFormKeys(MAX_PARTS));
    }

    /** A checked document, moved to {@code target} (by format); the caller makes its job. */
    record Document(String filename, String format, Optional<String> model) {
    }

    /** Where an accepted document goes, by its format. */
    @FunctionalInterface
    interface Target {
        Path of(String format);
    }

    /**
     * Reads, checks and moves the upload.
     *
     * @throws InvalidRequest 400 for a request that is not such a form, a document of another kind, an empty,
     *                        encrypted or damaged one; a 413 {@link GatewayError} for one over the limit
     */
    Document read(Context ctx, Target target) {
        String type = ctx.req().getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new InvalidRequest("upload the document as multipart/form-data, in the field 'file'",
                    "invalid_request", "file");
        }
        if (ctx.req().getContentLengthLong() > maxFormBytes) {
            throw tooLarge();
        }
        ctx.req().setAttribute(ServletContextRequest.MULTIPART_CONFIG_ELEMENT, config);
        Collection<Part> parts;
        try {
            parts = ServletMultiPartFormData.from(ctx.req()).get().getParts();
        } catch (ExecutionException | RuntimeException e) {
            throw refused(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidRequest("the form cannot be read", "invalid_request", "file");
        }
        Part moved = null;
        try {
            Part file = null;
            Optional<String> model = Optional.empty();
            for (Part part : parts) {
                String name = part.getName() == null ? "" : part.getName();
                switch (name) {
                    case "file" -> file = part;
                    case "model" -> model = Optional.of(field(part));
                    default -> throw new InvalidRequest("unknown form field '" + JsonFields.printable(name)
                            + "': send the document as 'file' (and optionally 'model')", "invalid_request",
                            JsonFields.printable(name));
                }
            }
            if (file == null || file.getSubmittedFileName() == null) {
                throw new InvalidRequest("the form has no document: send it as the file field 'file'",
                        "invalid_request", "file");
            }
            if (file.getSize() == 0) {
                throw document(400, "empty_document", "the document is empty");
            }
            String format = format(file);
            Path path = target.of(format);
            file.write(path.toString());
            // Jetty moved the spooled file there, and a part's delete() would now delete it from there
            moved = file;
            try {
                check(path, format);
            } catch (RuntimeException e) {
                Files.deleteIfExists(path);
                throw e;
            }
            return new Document(filename(file.getSubmittedFileName()), format, model);
        } catch (IOException e) {
            throw new InvalidRequest("the document could not be received", "invalid_request", "file");
        } finally {
            for (Part part : parts) {
                if (part == moved) {
                    continue;
                }
                try {
                    part.delete();
                } catch (IOException | RuntimeException e) {
                    System.getLogger(DocumentUpload.class.getName()).log(System.Logger.Level.WARNING,
                            "could not delete a spooled upload: " + e);
                }
            }
        }
    }

    private static String field(Part part) throws IOException {
        if (part.getSubmittedFileName() != null || part.getSize() > MAX_FIELD_BYTES) {
            throw new InvalidRequest("'" + part.getName() + "' must be a short text field", "invalid_request",
                    part.getName());
        }
        try (InputStream in = part.getInputStream()) {
            String value = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            JsonFields.problem(value, 128, false).ifPresent(problem -> {
                throw new InvalidRequest("'" + part.getName() + "' " + problem, "invalid_request", part.getName());
            });
            if (value.isEmpty()) {
                throw new InvalidRequest("'" + part.getName() + "' must not be empty", "invalid_request",
                        part.getName());
            }
            return value;
        }
    }

    /** What the document is, by its first bytes (and, for text, its name or type and its content). */
    private static String format(Part file) throws IOException {
        byte[] head;
        try (InputStream in = file.getInputStream()) {
            head = in.readNBytes(IN_MEMORY_BYTES);
        }
        if (startsWith(head, PDF)) {
            return "pdf";
        }
        if (startsWith(head, ZIP)) {
            return "docx";
        }
        if (startsWith(head, OLE2)) {
            throw document(400, "unsupported_document", "the document is a legacy .doc or an encrypted Office file:"
                    + " save it as an unencrypted .docx or PDF");
        }
        String name = file.getSubmittedFileName().toLowerCase(Locale.ROOT);
        String type = file.getContentType() == null ? "" : file.getContentType().toLowerCase(Locale.ROOT);
        if ((name.endsWith(".txt") || name.endsWith(".text") || name.endsWith(".md") || type.startsWith("text/"))
                && utf8(head)) {
            return "txt";
        }
        throw document(400, "unsupported_document", "the document is not a PDF, a DOCX or a UTF-8 text file");
    }

    /** No NUL bytes, and valid UTF-8 but for a sequence cut at the end of the sample. */
    private static boolean utf8(byte[] head) {
        for (byte b : head) {
            if (b == 0) {
                return false;
            }
        }
        int end = head.length;
        // a multi-byte character may be cut by the sample's end: drop up to three trailing bytes of it
        for (int back = 0; back < 3 && end > 0 && (head[end - 1] & 0x80) != 0; back++) {
            end--;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(head, 0, end));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A PDF must open without a password; a DOCX must be a Word package. */
    private static void check(Path path, String format) {
        if (format.equals("pdf")) {
            int pages;
            try (PDDocument document = Loader.loadPDF(path.toFile())) {
                pages = document.getNumberOfPages();
            } catch (InvalidPasswordException e) {
                throw document(400, "encrypted_document", "the PDF is encrypted: upload it without a password");
            } catch (IOException | RuntimeException e) {
                throw document(400, "invalid_document", "the PDF is damaged and cannot be read");
            }
            if (pages == 0) {
                throw document(400, "empty_document", "the PDF has no pages");
            }
        } else if (format.equals("docx")) {
            boolean word;
            try (ZipFile zip = new ZipFile(path.toFile())) {
                word = zip.getEntry("word/document.xml") != null;
            } catch (IOException e) {
                throw document(400, "invalid_document", "the DOCX is damaged and cannot be read");
            }
            if (!word) {
                throw document(400, "unsupported_document", "the ZIP file is not a Word document (.docx)");
            }
        }
    }

    /** The uploaded file's name without any path, control characters or excess length. */
    static String filename(String submitted) {
        String name = submitted.substring(Math.max(submitted.lastIndexOf('/'), submitted.lastIndexOf('\\')) + 1);
        StringBuilder clean = new StringBuilder();
        name.codePoints().filter(c -> !Character.isISOControl(c) && !(c >= Character.MIN_SURROGATE
                && c <= Character.MAX_SURROGATE)).limit(200).forEach(clean::appendCodePoint);
        String result = clean.toString().strip();
        return result.isEmpty() ? "document" : result;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    private GatewayError tooLarge() {
        return document(413, "document_too_large", "the document is larger than " + maxBytes + " bytes ("
                + maxBytes / (1024 * 1024) + " MiB, policy.generate.max_document_mb)");
    }

    private static GatewayError document(int status, String code, String message) {
        return GatewayError.of(status, "invalid_request_error", code, message);
    }

    /** Which of Jetty's limits the form broke, told by its message (Jetty's multipart failures have no types). */
    private RuntimeException refused(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.startsWith("max file size exceeded") || message.startsWith("max length exceeded")) {
                return tooLarge();
            }
            if (message.contains("too many keys")) {
                return new InvalidRequest("the form has more than " + MAX_PARTS + " parts", "invalid_request", null);
            }
        }
        return new InvalidRequest("the multipart form cannot be read", "invalid_request", "file");
    }
}
