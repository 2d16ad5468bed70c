package dev.rlflow.jobs.cli;

import dev.rlflow.jobs.traces.ProcessLabelTail;
import dev.rlflow.traces.ProcessLabel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.core.fs.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code rlflow traces tail}: read the traces a run wrote, from files or Kafka. */
@Command(
    name = "traces",
    description = "Read the traces runs write (Avro; schemas in the traces module).",
    mixinStandardHelpOptions = true,
    subcommands = {TracesCommand.Tail.class})
final class TracesCommand {

  @Command(
      name = "tail",
      description = {
        "Print process labels as JSON, one line each, with the Avro field names.",
        "--dir: the finished Avro files under a directory (a path or FileSystem URI), oldest"
            + " first.",
        "--kafka: a topic's committed records; new ones only unless --from-beginning,",
        "and until interrupted unless --max."
      },
      mixinStandardHelpOptions = true)
  static final class Tail implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(
        names = "--max",
        paramLabel = "N",
        description = "Stop after N labels. Default: all of them.")
    Long max;

    @Option(
        names = "--from-beginning",
        description = "Kafka: start at the earliest offsets. Files are always read whole.")
    boolean fromBeginning;

    @Spec CommandSpec spec;

    static final class Source {
      @Option(
          names = "--dir",
          paramLabel = "URI",
          required = true,
          description = "A traces directory, e.g. runs/latest/traces or hdfs:///rlflow/traces.")
      String directory;

      @ArgGroup(exclusive = false, multiplicity = "1")
      KafkaTopic kafka;
    }

    static final class KafkaTopic {
      @Option(
          names = "--kafka",
          paramLabel = "HOST:PORT",
          required = true,
          description = "Kafka bootstrap servers (host:port,...).")
      String bootstrap;

      @Option(
          names = "--topic",
          paramLabel = "TOPIC",
          required = true,
          description = "The traces topic (traces.kafka_topic).")
      String topic;
    }

    @Override
    public Integer call() throws IOException {
      if (max != null && max < 1) {
        throw new ParameterException(
            spec.commandLine(), "Invalid value " + max + " for --max: must be >= 1");
      }
      long limit = max == null ? Long.MAX_VALUE : max;
      PrintWriter out = spec.commandLine().getOut();
      JsonLines lines = new JsonLines(out);
      if (source.directory != null) {
        ProcessLabelTail.files(new Path(source.directory), limit, lines::print);
      } else {
        ProcessLabelTail.kafka(
            source.kafka.bootstrap, source.kafka.topic, fromBeginning, limit, lines::print);
      }
      out.flush();
      return 0;
    }
  }

  /**
   * Avro's JSON encoding of each label on a line of its own: the field names of the schema, plain
   * JSON for the types labels use (no unions).
   */
  private static final class JsonLines {
    private final PrintWriter out;
    private final SpecificDatumWriter<ProcessLabel> writer =
        new SpecificDatumWriter<>(ProcessLabel.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final JsonEncoder encoder;

    JsonLines(PrintWriter out) throws IOException {
      this.out = out;
      this.encoder = EncoderFactory.get().jsonEncoder(ProcessLabel.getClassSchema(), buffer);
    }

    void print(ProcessLabel label) {
      buffer.reset();
      try {
        writer.write(label, encoder);
        encoder.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("A byte array stream does not fail", e);
      }
      out.println(buffer.toString(StandardCharsets.UTF_8).strip());
      // A line as soon as it is known: tailing Kafka runs until interrupted.
      out.flush();
    }
  }
}
