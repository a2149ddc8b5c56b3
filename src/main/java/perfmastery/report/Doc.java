package perfmastery.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The report as a list of blocks, rendered once as GitHub Markdown and once as self-contained HTML,
 * so both say the same. Every text is escaped for its target here and nowhere else.
 */
final class Doc {

    sealed interface Block permits Heading, Paragraph, Bullets, Table, Chart {
    }

    record Heading(int level, String text) implements Block {
    }

    record Paragraph(String text) implements Block {
    }

    record Bullets(List<String> items) implements Block {
    }

    /** @param right which columns are right-aligned (numbers) */
    record Table(List<String> header, List<List<String>> rows, boolean[] right) implements Block {
    }

    /** @param file the SVG's path relative to the report, e.g. charts/x.svg */
    record Chart(String file, String alt) implements Block {
    }

    private final List<Block> blocks = new ArrayList<>();

    Doc add(Block block) {
        blocks.add(block);
        return this;
    }

    Doc heading(int level, String text) {
        return add(new Heading(level, text));
    }

    Doc paragraph(String text) {
        return add(new Paragraph(text));
    }

    Doc bullets(List<String> items) {
        return items.isEmpty() ? this : add(new Bullets(List.copyOf(items)));
    }

    String toMarkdown() {
        StringBuilder out = new StringBuilder();
        for (Block block : blocks) {
            if (block instanceof Heading h) {
                out.append("#".repeat(h.level())).append(' ').append(md(h.text())).append("\n\n");
            } else if (block instanceof Paragraph p) {
                out.append(md(p.text())).append("\n\n");
            } else if (block instanceof Bullets b) {
                for (String item : b.items()) {
                    out.append("- ").append(md(item)).append('\n');
                }
                out.append('\n');
            } else if (block instanceof Table t) {
                out.append('|');
                for (String h : t.header()) {
                    out.append(' ').append(md(h)).append(" |");
                }
                out.append("\n|");
                for (int i = 0; i < t.header().size(); i++) {
                    out.append(t.right()[i] ? "---:|" : "---|");
                }
                out.append('\n');
                for (List<String> row : t.rows()) {
                    out.append('|');
                    for (String cell : row) {
                        out.append(' ').append(md(cell)).append(" |");
                    }
                    out.append('\n');
                }
                out.append('\n');
            } else if (block instanceof Chart c) {
                out.append("![").append(md(c.alt())).append("](").append(c.file()).append(")\n\n");
            }
        }
        return out.toString();
    }

    /** @param svgByFile each chart's SVG element, to inline, by its {@link Chart#file()} */
    String toHtml(String title, java.util.Map<String, String> svgByFile) {
        StringBuilder out = new StringBuilder();
        out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"UTF-8\"/>\n<title>").append(html(title)).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:0.5em 0 1.5em}\n")
                .append("th,td{border:1px solid #ccc;padding:3px 8px}\nth{background:#f3f3f3}\n")
                .append("td.r{text-align:right;font-variant-numeric:tabular-nums}\n")
                .append("svg{max-width:100%;height:auto}\n</style>\n</head>\n<body>\n");
        for (Block block : blocks) {
            if (block instanceof Heading h) {
                out.append("<h").append(h.level()).append('>').append(html(h.text()))
                        .append("</h").append(h.level()).append(">\n");
            } else if (block instanceof Paragraph p) {
                out.append("<p>").append(html(p.text())).append("</p>\n");
            } else if (block instanceof Bullets b) {
                out.append("<ul>\n");
                for (String item : b.items()) {
                    out.append("<li>").append(html(item)).append("</li>\n");
                }
                out.append("</ul>\n");
            } else if (block instanceof Table t) {
                out.append("<table>\n<tr>");
                for (String h : t.header()) {
                    out.append("<th>").append(html(h)).append("</th>");
                }
                out.append("</tr>\n");
                for (List<String> row : t.rows()) {
                    out.append("<tr>");
                    for (int i = 0; i < row.size(); i++) {
                        out.append(t.right()[i] ? "<td class=\"r\">" : "<td>").append(html(row.get(i))).append("</td>");
                    }
                    out.append("</tr>\n");
                }
                out.append("</table>\n");
            } else if (block instanceof Chart c) {
                out.append("<figure>\n").append(svgByFile.get(c.file())).append("\n<figcaption>").append(html(c.alt()))
                        .append("</figcaption>\n</figure>\n");
            }
        }
        out.append("</body>\n</html>\n");
        return out.toString();
    }

    /** Escapes text for HTML and XML (also used for attribute values). */
    static String html(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append(' ');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Escapes text for GitHub Markdown: no markup, no raw HTML, one line. */
    static String md(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\', '`', '*', '_', '[', ']', '|' -> out.append('\\').append(c);
                case '#', '+', '-' -> out.append(i == 0 ? "\\" : "").append(c);
                case '!' -> out.append(i + 1 < text.length() && text.charAt(i + 1) == '[' ? "\\" : "").append(c);
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '\n', '\r', '\t' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
