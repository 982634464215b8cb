package dev.brink.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brink.app.results.ResultJson;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders an HTML page in headless Chromium (Debian's {@code chromium} package, installed by {@code make browser})
 * and reports what a reader would see go wrong: images that did not decode ({@code naturalWidth == 0}), script
 * errors and {@code console.error} calls, a layout wider than the window ({@code scrollWidth > innerWidth}), and any
 * resource the page fetched or refers to other than a {@code data:} URI (a self-contained page has none). A checker script is put first in a copy of the
 * page's {@code <head>}, the page is shown in an iframe of the asked width (headless Chromium's window is never
 * narrower than 500 px), and Chromium's {@code --dump-dom} prints the DOM after the load event, with the checker's JSON.
 * Where no Chromium is found the calling test is skipped with the reason, unless {@code BRINK_REQUIRE_BROWSER=1}
 * (set by {@code .ci/run}), where it fails.
 */
final class HeadlessChromium {
    private HeadlessChromium() {}

    /** What the checker saw. */
    record Check(int width, int innerWidth, int scrollWidth, int images, List<String> broken, List<String> errors, List<String> resources,
                 int scripts, boolean owned) {
        /** Problems a reader would see, empty when the page is fine. */
        List<String> problems() {
            List<String> p = new ArrayList<>();
            for (String b : broken) p.add("broken image: " + b);
            p.addAll(errors);
            if (scrollWidth > innerWidth) p.add("layout " + scrollWidth + " px wide in a " + innerWidth + " px window");
            for (String r : resources) p.add("fetched " + r);
            if (owned) p.add("an injected script ran (window.__owned is set)");
            return p;
        }
    }

    private static final String CHECKER = """
            <script>(function(){
              var errs = [];
              window.addEventListener('error', function (e) {
                var t = e.target;
                if (t && t !== window && t.tagName) errs.push('failed to load ' + t.tagName + ' ' + String(t.src || t.href || '').slice(0, 60));
                else errs.push('script error: ' + e.message);
              }, true);
              var ce = console.error;
              console.error = function () { errs.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); };
              window.addEventListener('load', function () {
                var broken = [], imgs = document.images;
                for (var i = 0; i < imgs.length; i++)
                  if (!imgs[i].complete || imgs[i].naturalWidth === 0) broken.push(i + ': ' + (imgs[i].alt || '').slice(0, 60));
                var res = performance.getEntriesByType('resource').map(function (r) { return r.name.slice(0, 80); });
                document.querySelectorAll('[src],[href],[srcset],[poster],[data]').forEach(function (e) {
                  ['src', 'href', 'srcset', 'poster', 'data'].forEach(function (a) {
                    var v = e.getAttribute(a);
                    if (v !== null && !/^\\s*(data:|#)/.test(v)) res.push(e.tagName + ' ' + a + '=' + v.slice(0, 60));
                  });
                });
                var r = {innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth, images: imgs.length,
                         broken: broken, errors: errs, resources: res, scripts: document.scripts.length, owned: !!window.__owned};
                var out = document.createElement('textarea');
                out.id = 'brink-check';
                out.textContent = JSON.stringify(r);
                document.documentElement.appendChild(out);
              });
            })();</script>
            """;

    private static final Pattern RESULT = Pattern.compile("<textarea id=\"brink-check\">(.*?)</textarea>", Pattern.DOTALL);

    /** The Chromium binary, or a skip (a failure under BRINK_REQUIRE_BROWSER=1) saying why there is none. */
    static Path chromium() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("BRINK_CHROMIUM");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        candidates.add(Path.of("/usr/bin/chromium"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
            if (!dir.isEmpty()) candidates.add(Path.of(dir, "chromium"));
        for (Path c : candidates) if (Files.isExecutable(c)) return c;
        String why = "headless Chromium not found (BRINK_CHROMIUM, /usr/bin/chromium, chromium on the PATH): `make browser` installs Debian's chromium";
        if ("1".equals(System.getenv("BRINK_REQUIRE_BROWSER"))) throw new AssertionError(why + " (BRINK_REQUIRE_BROWSER=1: this run must render the page)");
        Assumptions.abort(why);
        return null;
    }

    /** Renders {@code page} in a window {@code width} pixels wide and returns the checker's findings. */
    static Check render(Path page, int width, Path work) throws IOException, InterruptedException {
        Path chromium = chromium();
        String html = Files.readString(page, StandardCharsets.UTF_8);
        int head = html.indexOf("<head>");
        if (head < 0) throw new AssertionError(page + ": no <head>");
        String checked = html.substring(0, head + 6) + "\n" + CHECKER + html.substring(head + 6);
        // Chromium's headless window is at least 500 px wide, so the page goes into an iframe exactly `width` px wide
        // (its own viewport); srcdoc keeps it same-origin, so the frame's load handler copies the checker's result out
        Path copy = work.resolve("frame-" + width + "-" + page.getFileName());
        Files.writeString(copy, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>body{margin:0}iframe{border:0;display:block;width:" + width
                + "px;height:900px}</style></head><body><iframe id=\"f\" srcdoc=\"" + checked.replace("&", "&amp;").replace("\"", "&quot;")
                + "\"></iframe><script>window.addEventListener('load', function () { var d = document.getElementById('f').contentDocument;"
                + " var t = d && d.getElementById('brink-check'); var o = document.createElement('textarea'); o.id = 'brink-check';"
                + " o.textContent = t ? t.textContent : '{}'; document.body.appendChild(o); });</script></body></html>", StandardCharsets.UTF_8);
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=" + Math.max(width, 800) + ",1000",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000", "--dump-dom", copy.toUri().toString());
        Path stdout = work.resolve("dom-" + width + ".html"), stderr = work.resolve("chromium-" + width + ".log");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 60 s: " + String.join(" ", cmd));
        }
        String dom = Files.readString(stdout, StandardCharsets.UTF_8);
        Matcher m = RESULT.matcher(dom);
        if (!m.find())
            throw new AssertionError("chromium (exit " + p.exitValue() + ") printed no checker result for " + page + "; its log:\n"
                    + tail(Files.readString(stderr, StandardCharsets.UTF_8)));
        JsonNode r = ResultJson.MAPPER.readTree(unescape(m.group(1)));
        if (!r.has("innerWidth")) throw new AssertionError("the checker did not run in " + page + " (no result from the frame)");
        return new Check(width, r.get("innerWidth").asInt(), r.get("scrollWidth").asInt(), r.get("images").asInt(), strings(r.get("broken")),
                strings(r.get("errors")), strings(r.get("resources")), r.get("scripts").asInt(), r.get("owned").asBoolean());
    }

    private static List<String> strings(JsonNode a) {
        List<String> s = new ArrayList<>();
        for (JsonNode n : a) s.add(n.asText());
        return s;
    }

    /** Text of a textarea as serialized by the DOM dump (&amp;, &lt;, &gt; and &quot; escaped). */
    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }

    private static String tail(String s) {
        return s.length() <= 3000 ? s : s.substring(s.length() - 3000);
    }
}
