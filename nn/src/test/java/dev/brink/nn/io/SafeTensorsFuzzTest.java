package dev.brink.nn.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.brink.nn.fuzz.FuzzSupport;
import dev.brink.nn.fuzz.Seeds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Fuzzes the safetensors reader and the model-file and checkpoint layers on top of it: any input either reads or
 * fails with an {@link IOException} (a {@link ModelFileException} naming the file), within an allocation of what
 * its bytes justify (int32 from U8 is 4 bytes per byte).
 */
class SafeTensorsFuzzTest {
    static void parse(byte[] data) throws Exception {
        Path f = FuzzSupport.write("fuzz.safetensors", data);
        FuzzSupport.withinAllocation(16L * data.length + (64 << 20), "reading a " + data.length + "-byte safetensors file", () -> {
            try {
                SafeTensors.readHeader(f);
                SafeTensors.read(f);
            } catch (IOException expected) {
                // a malformed file, reported
            }
            try {
                ModelFile.load(f);
            } catch (IOException expected) {
                // not a model file, reported
            }
            try {
                Checkpoint.load(f);
            } catch (IOException expected) {
                // not a checkpoint, reported
            }
        });
    }

    @FuzzTest(maxDuration = "10m")
    void safetensors(byte[] data) throws Exception {
        parse(data);
    }

    @Test
    void mutatedSeeds() throws IOException {
        Seeds.replay(FuzzSupport.mutants(Seeds.of(getClass(), "safetensors"), 13, 600), SafeTensorsFuzzTest::parse);
    }
}
