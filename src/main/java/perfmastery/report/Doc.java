package perfmastery.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as a list of blocks, rendered once as GitHub Markdown and once as self-contained HTML,
 * so both say the same. Every text is escaped for its target here and nowhere else.
 *
 * <p><b>Anchors.</b> A heading may carry a key; a table cell links to it by that key. The anchor itself is
 * the heading's GitHub slug (lower case, punctuation dropped, spaces to hyphens, a repeat gets "-1", "-2"),
 * computed over the headings in document order, so {@code [text](#slug)} works on GitHub and the HTML
 * gives each heading the same {@code id}.
 */
final class Doc {

    sealed interface Block permits Heading, Paragraph, Bullets, Table, Chart {
    }

    /** @param key what links name this heading by; null when nothing links to it */
    record Heading(int level, String text, String key) implements Block {
        Heading(int level, String text) {
            this(level, text, null);
        }
    }

    record Paragraph(String text) implements Block {
    }

    record Bullets(List<String> items) implements Block {
    }

    /**
     * @param right which columns are right-aligned (numbers)
     * @param links per row, per cell, the key of the heading the cell links to, or null; null for no links
     * @param id    the HTML id of the table, or null
     */
    record Table(List<String> header, List<List<String>> rows, boolean[] right, List<List<String>> links,
                 String id) implements Block {
        Table(List<String> header, List<List<String>> rows, boolean[] right) {
            this(header, rows, right, null, null);
        }

        String link(int row, int column) {
            if (links == null || row >= links.size() || links.get(row) == null || column >= links.get(row).size()) {
                return null;
            }
            return links.get(row).get(column);
        }
    }

    /** @param file the SVG's path relative to the report, e.g. charts/x.svg */
    record Chart(String file, String alt) implements Block {
    }

    private final List<Block> blocks = new ArrayList<>();

    Doc add(Block block) {
        blocks.add(block);
        return this;
    }

    /** Puts another document's blocks at {@code index} (0 is the top), in their order. */
    Doc insert(int index, Doc other) {
        blocks.addAll(index, other.blocks);
        return this;
    }

    List<Block> blocks() {
        return List.copyOf(blocks);
    }

    Doc heading(int level, String text) {
        return add(new Heading(level, text));
    }

    Doc heading(int level, String text, String key) {
        return add(new Heading(level, text, key));
    }

    Doc paragraph(String text) {
        return add(new Paragraph(text));
    }

    Doc bullets(List<String> items) {
        return items.isEmpty() ? this : add(new Bullets(List.copyOf(items)));
    }

    /**
     * GitHub's anchor of a heading's text (as github-slugger makes it): lower case; letters, digits, {@code -}
     * and {@code _} kept, other characters dropped; each space a hyphen.
     */
    static String slug(String text) {
        StringBuilder out = new StringBuilder(text.length());
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == ' ') {
                out.append('-');
            } else if (c == '-' || c == '_' || Character.isLetterOrDigit(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Each heading's anchor, in document order, with GitHub's "-1", "-2" for repeats. */
    private Map<Heading, String> anchors() {
        Map<Heading, String> out = new java.util.IdentityHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Block block : blocks) {
            if (block instanceof Heading h) {
                String base = slug(h.text());
                String slug = base;
                Integer count = seen.get(base);
                if (count != null) {
                    int n = count;
                    do {
                        slug = base + "-" + ++n;
                    } while (seen.containsKey(slug));
                    seen.put(base, n);
                }
                seen.putIfAbsent(slug, 0);
                out.put(h, slug);
            }
        }
        return out;
    }

    /** The anchor of every keyed heading, by key (the first heading with a key wins). */
    Map<String, String> anchorsByKey() {
        Map<String, String> out = new HashMap<>();
        anchors().forEach((h, slug) -> {
            if (h.key() != null) {
                out.putIfAbsent(h.key(), slug);
            }
        });
        return out;
    }

    String toMarkdown() {
        Map<String, String> byKey = anchorsByKey();
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
                for (int r = 0; r < t.rows().size(); r++) {
                    List<String> row = t.rows().get(r);
                    out.append('|');
                    for (int c = 0; c < row.size(); c++) {
                        String anchor = anchor(byKey, t.link(r, c));
                        String text = md(row.get(c));
                        out.append(' ').append(anchor == null || text.isEmpty() ? text
                                : "[" + text + "](#" + anchor + ")").append(" |");
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

    private static String anchor(Map<String, String> byKey, String key) {
        return key == null ? null : byKey.get(key);
    }

    /** The page's style: tables wider than the page scroll inside their own box, charts scale to its width. */
    static final String CSS = "body{font-family:sans-serif;max-width:1800px;margin:1em auto;padding:0 1em;color:#222;"
            + "line-height:1.35}\n"
            + "p,ul{max-width:1100px}\n"
            + "h1,h2,h3,h4,p,li,figcaption{overflow-wrap:anywhere}\n"
            + "h1{font-size:1.5em}\n"
            + "div.table{max-width:100%;overflow-x:auto;margin:0.5em 0 1.5em}\n"
            + "table{border-collapse:collapse}\n"
            + "th,td{border:1px solid #ccc;padding:3px 8px;vertical-align:top}\nth{background:#f3f3f3}\n"
            + "td.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
            + "td.v{white-space:nowrap;font-weight:bold}\n"
            + "td.v-confirmed{background:#d7f0d7;color:#14521a}\n"
            + "td.v-refuted{background:#f8d3d0;color:#8a1616}\n"
            + "td.v-inconclusive{background:#fdf0c2;color:#5e4700}\n"
            + "td.v-not-measured{background:#ececec;color:#555}\n"
            + "table#findings-table,table#mechanism-table,table#few-lessons-table{width:100%;font-size:0.85em}\n"
            + "table#verdict-counts{font-size:0.92em}\n"
            + "table#findings-table td,table#mechanism-table td{min-width:4em;overflow-wrap:anywhere}\n"
            + "table#findings-table td.v,table#mechanism-table td.v{white-space:normal}\n"
            + "table#findings-table td:nth-child(2),table#mechanism-table td:nth-child(2),"
            + "table#few-lessons-table td:nth-child(2){min-width:16em}\n"
            + "figure{margin:0.5em 0 1.5em}\n"
            + "figure svg{display:block;max-width:100%;height:auto}\n";

    /**
     * Writes the page to {@code out}: the report streams it into its file, so that megabytes of inlined charts are
     * not copied into one string and then into its bytes (a StringBuilder gives the page as text).
     *
     * @param svgByFile each chart's SVG element, to inline, by its {@link Chart#file()}
     */
    void writeHtml(Appendable out, String title, Map<String, String> svgByFile) throws IOException {
        Map<Heading, String> anchors = anchors();
        Map<String, String> byKey = anchorsByKey();
        out.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"UTF-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                .append(html(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        for (Block block : blocks) {
            if (block instanceof Heading h) {
                String level = Integer.toString(h.level());
                out.append("<h").append(level).append(" id=\"").append(html(anchors.get(h))).append("\">")
                        .append(html(h.text())).append("</h").append(level).append(">\n");
            } else if (block instanceof Paragraph p) {
                out.append("<p>").append(html(p.text())).append("</p>\n");
            } else if (block instanceof Bullets b) {
                out.append("<ul>\n");
                for (String item : b.items()) {
                    out.append("<li>").append(html(item)).append("</li>\n");
                }
                out.append("</ul>\n");
            } else if (block instanceof Table t) {
                out.append("<div class=\"table\"><table").append(t.id() == null ? "" : " id=\"" + html(t.id()) + "\"")
                        .append(">\n<tr>");
                for (String h : t.header()) {
                    out.append("<th>").append(html(h)).append("</th>");
                }
                out.append("</tr>\n");
                for (int r = 0; r < t.rows().size(); r++) {
                    List<String> row = t.rows().get(r);
                    out.append("<tr>");
                    for (int i = 0; i < row.size(); i++) {
                        String anchor = anchor(byKey, t.link(r, i));
                        String text = html(row.get(i));
                        String verdict = VerdictLabel.cssClass(row.get(i));
                        out.append(verdict != null ? "<td class=\"v " + verdict + "\">"
                                        : t.right()[i] ? "<td class=\"r\">" : "<td>")
                                .append(anchor == null || text.isEmpty() ? text
                                        : "<a href=\"#" + html(anchor) + "\">" + text + "</a>")
                                .append("</td>");
                    }
                    out.append("</tr>\n");
                }
                out.append("</table></div>\n");
            } else if (block instanceof Chart c) {
                out.append("<figure>\n").append(svgByFile.get(c.file())).append("\n<figcaption>").append(html(c.alt()))
                        .append("</figcaption>\n</figure>\n");
            }
        }
        out.append("</body>\n</html>\n");
    }

    /** Escapes text for HTML and XML (also used for attribute values); characters beyond Latin-1 as references. */
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
                    } else if (c > 0xFF) {
                        // A character reference (✔ is &#10004;): the page stays Latin-1, so the megabytes of
                        // inlined SVG are appended and encoded as bytes instead of being widened to UTF-16.
                        int codePoint = Character.codePointAt(text, i);
                        out.append("&#").append(codePoint).append(';');
                        i += Character.charCount(codePoint) - 1;
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
