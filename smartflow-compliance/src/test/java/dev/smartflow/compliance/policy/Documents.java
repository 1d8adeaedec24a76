package dev.smartflow.compliance.policy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFTable;

/**
 * Real documents made in the test, with PDFBox and POI: a compliance handbook whose every page (or paragraph) states
 * one rule as {@code RULE: name | type | framework}, among filler lines, so a fake model can answer from the text it
 * is actually sent.
 */
final class Documents {
    private Documents() {
    }

    /** The lines of a handbook page that states {@code rule}: about 900 characters, the rule in the middle. */
    static List<String> page(String rule) {
        String filler = "This section of the handbook describes staff duties.";
        return List.of(filler, filler, filler, filler, filler, filler, filler, filler, "RULE: " + rule, filler,
                filler, filler, filler, filler, filler, filler);
    }

    /** A PDF with one page per entry of {@code pages}, each its lines of text; none for a page without text. */
    static byte[] pdf(List<List<String>> pages) {
        return pdf(pages, null);
    }

    /** The same PDF, encrypted with {@code userPassword} (needed to open it). */
    static byte[] pdf(List<List<String>> pages, String userPassword) {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (List<String> lines : pages) {
                PDPage page = new PDPage();
                document.addPage(page);
                if (lines.isEmpty()) {
                    continue;
                }
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(font, 10);
                    content.setLeading(14);
                    content.newLineAtOffset(50, 740);
                    for (String line : lines) {
                        content.showText(line);
                        content.newLine();
                    }
                    content.endText();
                }
            }
            if (userPassword != null) {
                StandardProtectionPolicy protection = new StandardProtectionPolicy("owner-secret", userPassword,
                        new AccessPermission());
                protection.setEncryptionKeyLength(128);
                document.protect(protection);
            }
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A DOCX of one paragraph per entry of {@code paragraphs}, then a table of {@code cells} in one row. */
    static byte[] docx(List<String> paragraphs, List<String> cells) {
        try (XWPFDocument document = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (String text : paragraphs) {
                document.createParagraph().createRun().setText(text);
            }
            if (!cells.isEmpty()) {
                XWPFTable table = document.createTable(1, cells.size());
                for (int i = 0; i < cells.size(); i++) {
                    table.getRow(0).getCell(i).setText(cells.get(i));
                }
            }
            document.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
