package dev.smartflow.compliance.policy;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.xwpf.usermodel.IBodyElement;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFTable;

/**
 * The text of an uploaded document: a PDF page by page with Apache PDFBox, a DOCX body element by element
 * (paragraphs and tables) with Apache POI, a text file as UTF-8. Progress is reported as it goes, and reading stops
 * once {@code maxChars} are read (the job analyses no more than that).
 */
final class DocumentText {
    private DocumentText() {
    }

    /** Told how far reading is: {@code done} of {@code total} pages (or body elements, or percent of a text file). */
    @FunctionalInterface
    interface Progress {
        void read(int done, int total);
    }

    /** What was read: the text, how many pages it came from, and whether reading stopped early. */
    record Read(String text, int pages, boolean truncated) {
    }

    /** Thrown by a {@link Progress} to stop reading; passes through unchanged. */
    static class Halt extends RuntimeException {
        Halt() {
            super(null, null, false, false);
        }
    }

    /** Why a document cannot be read, in words for the operator. */
    static final class Unreadable extends Exception {
        Unreadable(String reason) {
            super(reason);
        }
    }

    static Read extract(Path file, String format, int maxChars, Progress progress) throws Unreadable {
        return switch (format) {
            case "pdf" -> pdf(file, maxChars, progress);
            case "docx" -> docx(file, maxChars, progress);
            case "txt" -> txt(file, maxChars, progress);
            default -> throw new Unreadable("unsupported format " + format);
        };
    }

    private static Read pdf(Path file, int maxChars, Progress progress) throws Unreadable {
        try (PDDocument document = Loader.loadPDF(file.toFile())) {
            int pages = document.getNumberOfPages();
            PDFTextStripper stripper = new PDFTextStripper();
            StringBuilder text = new StringBuilder();
            for (int page = 1; page <= pages; page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                text.append(stripper.getText(document)).append('\n');
                progress.read(page, pages);
                if (text.length() > maxChars) {
                    return new Read(text.substring(0, maxChars), page, true);
                }
            }
            return new Read(text.toString(), pages, false);
        } catch (InvalidPasswordException e) {
            throw new Unreadable("the PDF is encrypted: upload it without a password");
        } catch (Halt e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new Unreadable("the PDF cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Read docx(Path file, int maxChars, Progress progress) throws Unreadable {
        try (OPCPackage container = OPCPackage.open(file.toFile(), PackageAccess.READ);
             XWPFDocument document = new XWPFDocument(container)) {
            List<IBodyElement> elements = document.getBodyElements();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < elements.size(); i++) {
                IBodyElement element = elements.get(i);
                if (element instanceof XWPFParagraph paragraph) {
                    text.append(paragraph.getText()).append('\n');
                } else if (element instanceof XWPFTable table) {
                    text.append(table.getText()).append('\n');
                }
                progress.read(i + 1, elements.size());
                if (text.length() > maxChars) {
                    return new Read(text.substring(0, maxChars), i + 1, true);
                }
            }
            return new Read(text.toString(), elements.size(), false);
        } catch (Halt e) {
            throw e;
        } catch (Exception e) {
            // POI reports a damaged or foreign file with unchecked exceptions of many kinds
            throw new Unreadable("the DOCX cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Read txt(Path file, int maxChars, Progress progress) throws Unreadable {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), decoder)) {
            long size = Math.max(1, Files.size(file));
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[64 * 1024];
            int n;
            while ((n = reader.read(buffer)) > 0) {
                text.append(buffer, 0, n);
                // characters never outnumber bytes in UTF-8, so this never passes 100
                progress.read((int) (text.length() * 100L / size), 100);
                if (text.length() > maxChars) {
                    return new Read(text.substring(0, maxChars), 1, true);
                }
            }
            progress.read(100, 100);
            return new Read(text.toString(), 1, false);
        } catch (IOException e) {
            throw new Unreadable("the text file cannot be read");
        }
    }

    /** Cuts {@code text} into chunks of at most {@code size} characters, at line breaks where it can. */
    static List<String> chunks(String text, int size) {
        List<String> chunks = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int end = Math.min(text.length(), at + size);
            if (end < text.length()) {
                int paragraph = text.lastIndexOf("\n\n", end);
                int line = text.lastIndexOf('\n', end);
                int cut = paragraph > at + size / 2 ? paragraph : line > at + size / 2 ? line : end;
                end = cut;
            }
            String chunk = text.substring(at, end).strip();
            if (!chunk.isEmpty()) {
                chunks.add(chunk);
            }
            at = end == at ? at + size : end;
        }
        return List.copyOf(chunks);
    }
}
