package dev.rlflow.jobs.runner;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The progress line of long work: stage, step/total, the figures that matter, throughput and the
 * estimated time left. On a terminal it rewrites one line; in a log it prints every {@code
 * everyNth} step and the last.
 */
public final class Progress {
  private final PrintWriter out;
  private final boolean terminal;
  private final long everyNth;
  private final long startNanos = System.nanoTime();

  public Progress(PrintWriter out, boolean terminal, long everyNth) {
    this.out = out;
    this.terminal = terminal;
    this.everyNth = Math.max(1, everyNth);
  }

  /** A progress line for {@code System.out}, rewriting in place when it is a terminal. */
  public static Progress console(PrintWriter out) {
    return new Progress(out, System.console() != null, 50);
  }

  /** Reports step {@code step} of {@code total} with a figures text such as "loss 0.41". */
  public void step(String stage, long step, long total, String figures) {
    if (!terminal && step % everyNth != 0 && step != total) {
      return;
    }
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    double eta = step == 0 ? 0 : elapsed / step * (total - step);
    String line =
        String.format(
            Locale.ROOT,
            "%-5s %6d/%-6d %s  elapsed %s  ETA %s",
            stage,
            step,
            total,
            figures,
            format(elapsed),
            format(eta));
    if (terminal) {
      out.print("\r" + line + (step == total ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** A line of its own between progress updates. */
  public void note(String text) {
    out.println((terminal ? "\n" : "") + text);
    out.flush();
  }

  private static String format(double seconds) {
    Duration d = Duration.ofSeconds(Math.round(seconds));
    return d.toMinutes() > 0
        ? String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart())
        : d.toSecondsPart() + "s";
  }
}
