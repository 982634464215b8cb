package dev.brink.robust.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * An HTML page with inline CSS: headings, paragraphs, tables, preformatted text, command lines and figures. Figures
 * are either files next to the page referenced by relative name ({@link #figure(String, String)}) or PNG bytes
 * inlined as {@code data:} URIs ({@link #figure(byte[], String)}), which makes the page self-contained: it fetches
 * nothing and can be mailed or archived as one file. Every string is escaped except what {@link #html} inserts. The
 * layout narrows to a phone's width (tables scroll inside their box, long words wrap), so no page is wider than
 * its window.
 */
public final class HtmlReport {
    private final String title;
    private final StringBuilder body = new StringBuilder();

    public HtmlReport(String title) {
        this.title = title;
    }

    public HtmlReport heading(String text) {
        body.append("<h2>").append(esc(text)).append("</h2>\n");
        return this;
    }

    public HtmlReport paragraph(String text) {
        body.append("<p>").append(esc(text)).append("</p>\n");
        return this;
    }

    /** A paragraph of trusted HTML (callers escape what they insert). */
    public HtmlReport html(String html) {
        body.append(html).append('\n');
        return this;
    }

    public HtmlReport pre(String text) {
        body.append("<pre>").append(esc(text)).append("</pre>\n");
        return this;
    }

    /** A list of name-value pairs (both escaped), laid out as two columns. */
    public HtmlReport keyValues(List<String[]> pairs) {
        body.append("<dl class=\"kv\">");
        for (String[] kv : pairs) body.append("<dt>").append(esc(kv[0])).append("</dt><dd>").append(esc(kv[1])).append("</dd>");
        body.append("</dl>\n");
        return this;
    }

    /** A paragraph in the warning colour (a step that failed, a result that is missing). */
    public HtmlReport warning(String text) {
        body.append("<p class=\"warn\">").append(esc(text)).append("</p>\n");
        return this;
    }

    /** A smaller heading inside a section. */
    public HtmlReport subheading(String text) {
        body.append("<h3>").append(esc(text)).append("</h3>\n");
        return this;
    }

    /** The command line that reproduces what precedes it, shown as "$ command". */
    public HtmlReport command(String commandLine) {
        body.append("<pre class=\"cmd\">$ ").append(esc(commandLine)).append("</pre>\n");
        return this;
    }

    /** A collapsed block of preformatted text under a one-line summary. */
    public HtmlReport details(String summary, String text) {
        body.append("<details><summary>").append(esc(summary)).append("</summary><pre>").append(esc(text)).append("</pre></details>\n");
        return this;
    }

    /** A link that saves {@code bytes} as {@code fileName} (a {@code data:} URI, so the page stays self-contained). */
    public HtmlReport download(String label, String fileName, String mimeType, byte[] bytes) {
        body.append("<p class=\"dl\"><a download=\"").append(esc(fileName)).append("\" href=\"data:").append(esc(mimeType)).append(";base64,")
                .append(Base64.getEncoder().encodeToString(bytes)).append("\">").append(esc(label)).append("</a></p>\n");
        return this;
    }

    /** A table; cells that parse as numbers are right-aligned. */
    public HtmlReport table(List<String> header, List<List<String>> rows) {
        body.append("<div class=\"scroll\"><table>\n<tr>");
        for (String h : header) body.append("<th>").append(esc(h)).append("</th>");
        body.append("</tr>\n");
        for (List<String> r : rows) {
            body.append("<tr>");
            for (String c : r) body.append(numeric(c) ? "<td class=\"n\">" : "<td>").append(esc(c)).append("</td>");
            body.append("</tr>\n");
        }
        body.append("</table></div>\n");
        return this;
    }

    /** A figure showing the image file {@code relativePath} (relative to the report). */
    public HtmlReport figure(String relativePath, String caption) {
        body.append("<figure><a href=\"").append(esc(relativePath)).append("\"><img src=\"").append(esc(relativePath))
                .append("\" alt=\"").append(esc(caption)).append("\"></a><figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
        return this;
    }

    /** A figure showing PNG bytes inlined as a {@code data:} URI (nothing outside the page is fetched). */
    public HtmlReport figure(byte[] png, String caption) {
        body.append("<figure><img src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png)).append("\" alt=\"")
                .append(esc(caption)).append("\"><figcaption>").append(esc(caption)).append("</figcaption></figure>\n");
        return this;
    }

    /** A figure of an image, inlined as PNG. */
    public HtmlReport figure(BufferedImage image, String caption) {
        return figure(Outputs.png(image), caption);
    }

    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" + esc(title) + "</title>\n<style>\n"
                + "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45;overflow-wrap:anywhere}\n"
                + "h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}\n"
                + "h3{font-size:1.05em;margin-top:1.4em}.scroll{overflow-x:auto;max-width:100%}\n"
                + "table{border-collapse:collapse;margin:.8em 0;font-size:.92em;overflow-wrap:normal}th,td{border:1px solid #ccc;padding:.3em .7em}th{background:#f3f3f3;text-align:left}\n"
                + "td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #ddd}\n"
                + "figcaption{font-size:.88em;color:#555}pre{background:#f6f6f6;padding:.7em;overflow-x:auto;font-size:.85em}.meta{color:#666;font-size:.9em}\n"
                + "pre.cmd{white-space:pre-wrap;overflow-wrap:anywhere;background:#eef3f8;border-left:3px solid #7a9cc6}details{margin:.6em 0}summary{cursor:pointer;color:#345}\n"
                + ".dl{font-size:.88em}.warn{color:#a40}dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em}dl.kv dt{color:#555}dl.kv dd{margin:0;min-width:0}\n"
                + "</style>\n</head>\n<body>\n<h1>" + esc(title) + "</h1>\n<p class=\"meta\">generated by brink on "
                + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z")) + "</p>\n" + body + "</body>\n</html>\n";
    }

    public void write(Path file) throws IOException {
        Outputs.write(file, render());
    }

    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean numeric(String s) {
        if (s == null || s.isEmpty()) return false;
        return s.matches("[-+]?[0-9][0-9,]*(\\.[0-9]*)?([eE][-+]?[0-9]+)?%?( s)?") || s.equals("-");
    }
}
