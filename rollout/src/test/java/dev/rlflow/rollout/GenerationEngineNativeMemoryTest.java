package dev.rlflow.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The native-memory bound: every decode step's arrays live in a closed scope, so 10 000 decode
 * steps leave the process's resident memory (VmRSS) where warm-up left it.
 *
 * <p>The steps run in a child JVM ({@link NativeMemoryProbe}) with a fixed, pre-touched heap: in
 * this JVM the Java heap's first touches of young-generation pages (DJL makes ~100 KB of garbage
 * per step) would show up in RSS as growth, by an amount that depends on the machine's RAM.
 */
@Tag("native-memory")
class GenerationEngineNativeMemoryTest {
  private static final long DECODE_STEPS = 10_000;
  private static final long MAX_GROWTH_KB = 64 * 1024;
  private static final Pattern RESULT =
      Pattern.compile("steps=(\\d+) startKb=(\\d+) endKb=(\\d+) seconds=([0-9.]+)");

  @Test
  void tenThousandDecodeStepsDoNotGrowNativeMemory() throws IOException, InterruptedException {
    Path log = Files.createTempFile("native-memory-probe", ".log");
    String output;
    try {
      Process probe =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xms192m",
                  "-Xmx192m",
                  "-XX:+AlwaysPreTouch",
                  // One intra-op thread: OpenMP workers stall for milliseconds per op when other
                  // processes share the cores, and a tiny model gains nothing from them.
                  "-Dai.djl.pytorch.num_threads=1",
                  "-Dai.djl.offline=true",
                  "-cp",
                  System.getProperty("java.class.path"),
                  NativeMemoryProbe.class.getName(),
                  Long.toString(DECODE_STEPS))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean done = probe.waitFor(240, TimeUnit.SECONDS);
      probe.destroyForcibly().waitFor();
      output = Files.readString(log);
      assertThat(done).as("probe finished within 240 s; output:%n%s", output).isTrue();
      assertThat(probe.exitValue()).as("probe exit status; output:%n%s", output).isZero();
    } finally {
      Files.deleteIfExists(log);
    }
    Matcher m = RESULT.matcher(output);
    assertThat(m.find()).as("probe result line in:%n%s", output).isTrue();
    long steps = Long.parseLong(m.group(1));
    long startKb = Long.parseLong(m.group(2));
    long growthKb = Long.parseLong(m.group(3)) - startKb;
    System.out.printf(
        "native memory: %d decode steps in %s s, VmRSS %d kB %+d kB%n",
        steps, m.group(4), startKb, growthKb);
    assertThat(steps).isGreaterThanOrEqualTo(DECODE_STEPS);
    assertThat(growthKb)
        .as("VmRSS growth in kB over %d decode steps (from %d kB)", steps, startKb)
        .isLessThan(MAX_GROWTH_KB);
  }
}
