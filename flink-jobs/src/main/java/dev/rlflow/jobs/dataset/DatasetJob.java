package dev.rlflow.jobs.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.TaskConfig;
import dev.rlflow.core.task.arith.ArithSplit;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.jobs.runner.RunDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/**
 * The {@code dataset} job: materialises the task's splits in the run directory as JSONL, every
 * reference solution checked on the way. For {@code arith}: {@code task.train_examples}
 * demonstrations from the train split and {@code task.test_examples} held-out problems from the
 * disjoint test split, generated from {@code run.seed}.
 *
 * <pre>
 * SplitRequest(train), SplitRequest(test) ─► GenerateVerifiedProblems ─► FileSink data/{train,test}/
 *                                                     └─ dead letters ─► FileSink data/dead-letters/
 * </pre>
 */
public final class DatasetJob {
  private DatasetJob() {}

  /** Counts of what the job wrote, by split and chain length. */
  public record Summary(Map<String, Integer> counts) {
    /** Problems written for a split ({@code train}, {@code test}). */
    public int problems(String split) {
      return counts.entrySet().stream()
          .filter(e -> e.getKey().startsWith(split + ".steps."))
          .mapToInt(Map.Entry::getValue)
          .sum();
    }

    /** Problems written for a split with the given number of steps. */
    public int problems(String split, int steps) {
      return counts.getOrDefault(split + ".steps." + steps, 0);
    }

    public int deadLetters() {
      return counts.entrySet().stream()
          .filter(e -> e.getKey().endsWith(".dead_letters"))
          .mapToInt(Map.Entry::getValue)
          .sum();
    }
  }

  /** Runs the job for {@code config}, writing under {@code run}'s {@code data/} directory. */
  public static Summary run(RunConfig config, RunDirectory run, JobRunner runner) throws Exception {
    if (config.task().name() != TaskConfig.TaskName.ARITH) {
      throw new IllegalArgumentException(
          "The dataset job generates the arith task; task.name is "
              + config.task().name().name().toLowerCase(java.util.Locale.ROOT)
              + " (check JSONL files with `rlflow data check FILE --layout ...`)");
    }
    Path data = run.resolve("data");
    JobExecutionResult result =
        runner.run("rlflow dataset " + run.runId(), env -> define(env, config, data));
    Map<String, Integer> counts = new TreeMap<>();
    result
        .getAllAccumulatorResults()
        .forEach((name, value) -> counts.put(name, ((Number) value).intValue()));
    Summary summary = new Summary(counts);
    writeSummary(run, summary);
    return summary;
  }

  static void define(StreamExecutionEnvironment env, RunConfig config, Path data) {
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    long seed = config.run().seed();
    SingleOutputStreamOperator<DatasetRecord> problems =
        env.fromData(
                new SplitRequest(ArithSplit.TRAIN, seed, config.task().trainExamples()),
                new SplitRequest(ArithSplit.TEST, seed, config.task().testExamples()))
            .name("split requests")
            .rebalance()
            .process(new GenerateVerifiedProblems(config.task().arith()))
            .name("generate and verify")
            .setParallelism(2);
    OutputFileConfig jsonl = OutputFileConfig.builder().withPartSuffix(".jsonl").build();
    problems
        .sinkTo(
            FileSink.forRowFormat(data, jsonLines())
                .withBucketAssigner(new BySplit())
                .withOutputFileConfig(jsonl)
                .build())
        .name("JSONL by split");
    problems
        .getSideOutput(GenerateVerifiedProblems.DEAD_LETTERS)
        .sinkTo(
            FileSink.forRowFormat(
                    new Path(data, "dead-letters"), new SimpleStringEncoder<String>("UTF-8"))
                .withOutputFileConfig(jsonl)
                .build())
        .name("dead letters");
  }

  private static Encoder<DatasetRecord> jsonLines() {
    return (record, stream) -> {
      stream.write(record.json().getBytes(StandardCharsets.UTF_8));
      stream.write('\n');
    };
  }

  private static void writeSummary(RunDirectory run, Summary summary) throws IOException {
    byte[] json =
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(summary.counts());
    Path file = run.resolve("data/summary.json");
    try (OutputStream out =
        file.getFileSystem()
            .create(file, org.apache.flink.core.fs.FileSystem.WriteMode.OVERWRITE)) {
      out.write(json);
    }
  }

  /** Files of a split go to the sub-directory named after it. */
  private static final class BySplit implements BucketAssigner<DatasetRecord, String> {
    @Override
    public String getBucketId(DatasetRecord record, Context context) {
      return record.split();
    }

    @Override
    public SimpleVersionedSerializer<String> getSerializer() {
      return SimpleVersionedStringSerializer.INSTANCE;
    }
  }
}
