package dev.brink.app.demo;

import dev.brink.app.cli.BrinkCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The demo end to end in quick mode (synthetic data, tiny models): report, plot, grid, transfer set; models reused. */
class RobustnessDemoTest {
    @TempDir
    Path dir;

    private String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BrinkCli.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    @Test
    void quickDemoWritesTheReportAndReusesItsModels() throws Exception {
        Path rep = dir.resolve("rep"), models = dir.resolve("models");
        String out = run("demo", "--quick", "--out", rep.toString(), "--models", models.toString());
        for (String step : new String[] {"[1/6] data", "[2/6] models", "[3/6] sweep", "[4/6] attacks", "[5/6] transfer", "[6/6] report"})
            assertTrue(out.contains(step), out);
        String html = Files.readString(rep.resolve("index.html"));
        assertTrue(html.contains("Accuracy versus epsilon") && html.contains("sweep.png") && html.contains("grid.png") && html.contains("worst case"), html);
        assertNotNull(ImageIO.read(rep.resolve("sweep.png").toFile()));
        assertNotNull(ImageIO.read(rep.resolve("grid.png").toFile()));
        assertTrue(Files.readString(rep.resolve("sweep.csv")).startsWith("attack,eps,accuracy"));
        assertTrue(Files.list(rep).anyMatch(p -> p.getFileName().toString().startsWith("transfer-")));
        assertTrue(out.contains("trained in"), out);

        String again = run("demo", "--quick", "--out", rep.toString(), "--models", models.toString());
        assertTrue(again.contains("reusing"), again);
        assertFalse(again.contains("trained in"), again);
    }

    @Test
    void engineTourStaysAvailable() {
        String out = run("demo", "--engine");
        assertTrue(out.contains("Brink engine demo"), out);
    }
}
