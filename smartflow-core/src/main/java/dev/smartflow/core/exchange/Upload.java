package dev.smartflow.core.exchange;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file that travels beside a request's JSON body, such as the audio of {@code POST /v1/audio/transcriptions}: the
 * body holds the form's text fields, the file stays where it is (the server's spool on disk, or the caller's bytes) and
 * is read only as it is sent upstream. {@link #open()} opens it afresh each time, so an attempt that is retried sends
 * it whole again.
 *
 * <pre>{@code
 * Upload audio = Upload.of(Path.of("meeting.mp3"), "audio/mpeg");
 * Exchange exchange = Exchange.of(Operation.TRANSCRIPTIONS, Body.json("{\"model\":\"whisper-1\"}"), Headers.EMPTY)
 *         .with(Upload.KEY, audio);
 * }</pre>
 *
 * @param filename    the name the caller gave the file (its extension tells upstreams the format); never a path
 * @param contentType the file's media type, {@code application/octet-stream} when the caller named none
 * @param size        its length in bytes
 * @param source      opens the bytes; each call returns a new stream from the first byte
 */
public record Upload(String filename, String contentType, long size, Source source) {
    /** Where an exchange carries its file. */
    public static final Attribute<Upload> KEY = Attribute.of("upload", Upload.class);

    /** Opens the file's bytes from the start; the caller closes the stream. */
    @FunctionalInterface
    public interface Source {
        InputStream open() throws IOException;
    }

    /** @throws IllegalArgumentException if the size is negative or the name blank */
    public Upload {
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(source, "source");
        if (filename.isBlank()) {
            throw new IllegalArgumentException("filename must not be blank");
        }
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
        // a caller's "../../x.mp3" names a file, not a place
        int slash = Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'));
        filename = slash >= 0 && slash < filename.length() - 1 ? filename.substring(slash + 1) : filename;
        contentType = contentType.isBlank() ? "application/octet-stream" : contentType;
    }

    /** Bytes in memory; the array is not copied, so the caller must not change it. */
    public static Upload of(String filename, String contentType, byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new Upload(filename, contentType, bytes.length, () -> new ByteArrayInputStream(bytes));
    }

    /**
     * A file on disk, read each time it is sent.
     *
     * @throws IOException if its size cannot be read
     */
    public static Upload of(Path file, String contentType) throws IOException {
        Objects.requireNonNull(file, "file");
        return new Upload(file.getFileName().toString(), contentType, Files.size(file), () -> Files.newInputStream(file));
    }

    public InputStream open() throws IOException {
        return source.open();
    }

    @Override
    public String toString() {
        return "Upload[" + contentType + ", " + size + " bytes]";
    }
}
