package dev.smartflow.compliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentTextTest {
    @TempDir
    Path dir;

    @Test
    void aPdfIsReadPageByPageAndReportsEachPage() throws Exception {
        Path pdf = Files.write(dir.resolve("a.pdf"), Documents.pdf(List.of(List.of("first page"),
                List.of("second page"), List.of("third page"))));
        List<String> progress = new ArrayList<>();

        DocumentText.Read read = DocumentText.extract(pdf, "pdf", 1_000_000, (done, total) -> progress.add(done + "/"
                + total));

        assertEquals(List.of("1/3", "2/3", "3/3"), progress);
        assertEquals(3, read.pages());
        assertTrue(read.text().indexOf("first page") < read.text().indexOf("third page"), read.text());
    }

    @Test
    void readingStopsAtTheLimitAndSaysSo() throws Exception {
        Path text = Files.writeString(dir.resolve("a.txt"), "x".repeat(5_000));

        DocumentText.Read read = DocumentText.extract(text, "txt", 1_000, (done, total) -> { });

        assertEquals(1_000, read.text().length());
        assertTrue(read.truncated());
    }

    @Test
    void invalidUtf8InATextFileBecomesReplacementCharacters() throws Exception {
        Path text = Files.write(dir.resolve("a.txt"), new byte[] {'o', 'k', (byte) 0xFF, '!'});

        assertEquals("ok\uFFFD!", DocumentText.extract(text, "txt", 100, (done, total) -> { }).text());
    }

    @Test
    void aDamagedDocxIsUnreadableWithAReason() throws IOException {
        Path docx = Files.write(dir.resolve("a.docx"), "PK\u0003\u0004garbage".getBytes(StandardCharsets.ISO_8859_1));

        DocumentText.Unreadable unreadable = assertThrows(
                DocumentText.Unreadable.class, () -> DocumentText.extract(docx, "docx", 100, (done, total) -> { }));

        assertTrue(unreadable.getMessage().startsWith("the DOCX cannot be read"), unreadable.getMessage());
    }

    @Test
    void chunksEndAtLineBreaksAndCoverTheWholeText() {
        String text = ("a".repeat(30) + "\n").repeat(10) + "\n" + ("b".repeat(30) + "\n").repeat(10);

        List<String> chunks = DocumentText.chunks(text, 200);

        assertTrue(chunks.stream().allMatch(c -> c.length() <= 200), chunks.toString());
        assertEquals(text.replaceAll("\\s", ""), String.join("", chunks).replaceAll("\\s", ""));
        assertTrue(chunks.stream().allMatch(c -> c.endsWith("a") || c.endsWith("b")), "no chunk cuts a line");
    }
}
