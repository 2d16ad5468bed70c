package dev.rlflow.jobs.prm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlflow.core.config.RunConfig;
import dev.rlflow.core.config.RunConfigLoader;
import dev.rlflow.jobs.eval.SelectionTable;
import dev.rlflow.jobs.pipeline.Pipeline;
import dev.rlflow.jobs.policy.UntrainedPolicy;
import dev.rlflow.jobs.run.RunSummary;
import dev.rlflow.jobs.runner.JobRunner;
import dev.rlflow.reward.prm.ProcessRewardModel;
import dev.rlflow.traces.ProcessLabel;
import dev.rlflow.traces.TraceFiles;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.file.DataFileWriter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sft → prm-collect → prm-train → eval --selection on a MiniCluster: the PRM is trained on the
 * labels prm-collect wrote (plus a file of bad labels, which are set aside with their reasons), and
 * the selection table is computed with it.
 */
class PrmTrainITCase {
  private static final String SMALL =
      """
      task:
        train_examples: 512
        test_examples: 16
        arith: {min_steps: 2, max_steps: 2, start_max: 5, operand_max: 2, max_value: 20}
      policy: {hidden_size: 48, num_layers: 2, num_heads: 2, num_kv_heads: 1,
               intermediate_size: 96, max_seq_len: 80, device: cpu}
      sft: {updates: 300, batch_size: 32, lr: 3.0e-3, warmup_updates: 10, checkpoint_every: 1000}
      eval: {batch_size: 64}
      rollout: {max_new_tokens: 40}
      omega_prm: {questions: 12, prefilter_rollouts: 8, rollouts_per_estimate: 4,
                  search_limit: 4, concurrent_searches: 6}
      prm: {updates: 30, batch_size: 8, held_out_fraction: 0.2, selection_problems: 8,
            selection_samples: 8}
      placement: {slots_per_task_manager: 2}
      """;

  @Test
  void trainsAPrmOnCollectedLabelsAndSelectsWithIt(@TempDir Path out) throws Exception {
    RunConfig config =
        RunConfigLoader.parse(
            SMALL, "it.yaml", Map.of("run.output_dir", out.toString(), "run.id", "prm"));
    StringWriter log = new StringWriter();
    PrintWriter print = new PrintWriter(log, true);
    Path run = out.resolve("prm");
    RunSummary summary;
    try (JobRunner runner = new JobRunner(2, false, print)) {
      Pipeline pipeline = new Pipeline(config, print, Clock.systemUTC());
      pipeline.run(
          List.of(Pipeline.Stage.SFT, Pipeline.Stage.PRM_COLLECT), Optional.empty(), runner);
      Path labels = run.resolve("traces/process-labels");
      writeBadLabels(labels.resolve("bad/bad-labels.avro"));
      RunConfig again =
          RunConfigLoader.parse(
              SMALL, "it.yaml", Map.of("run.output_dir", out.toString(), "run.id", "prm-train"));
      Pipeline training =
          Pipeline.builder(again, print, Clock.systemUTC())
              .optLabels(new org.apache.flink.core.fs.Path(labels.toUri()))
              .build();
      summary =
          training.run(
              List.of(Pipeline.Stage.PRM_TRAIN, Pipeline.Stage.SELECTION),
              Optional.of(run.resolve("checkpoints/sft").toString()),
              runner);
    }

    Path trained = out.resolve("prm-train");
    JsonNode eval = new ObjectMapper().readTree(trained.resolve("prm-eval.json").toFile());
    long collected =
        new ObjectMapper()
            .readTree(run.resolve("prm-collect.json").toFile())
            .get("omegaprm")
            .get("labels")
            .asLong();
    assertThat(eval.get("objective").asText()).isEqualTo("soft");
    assertThat(eval.get("labels_read").asLong()).isEqualTo(collected + 2);
    assertThat(eval.get("dead_letters").asLong()).isEqualTo(2);
    assertThat(eval.get("updates").asLong()).isEqualTo(30);
    assertThat(eval.get("train").get("step_accuracy").asDouble()).isBetween(0.0, 1.0);
    List<String> deadLetters = Files.readAllLines(trained.resolve("dead-letters/prm-train.jsonl"));
    assertThat(deadLetters).hasSize(2);
    assertThat(deadLetters.get(0) + deadLetters.get(1))
        .contains("mcValue: must be in [0, 1]")
        .contains("for step: must be one non-blank line");
    Path prm = trained.resolve("checkpoints/prm-soft");
    assertThat(prm.resolve("config.json")).exists();
    assertThat(ProcessRewardModel.metadata(prm).objective()).isEqualTo("soft");
    // The default stacks the policy's confidence: the policy goes with the PRM, and the stack in
    // prm.json is the one prm-eval.json reports.
    assertThat(prm.resolve(ProcessRewardModel.POLICY_DIR).resolve("config.json")).exists();
    assertThat(ProcessRewardModel.metadata(prm).stack().usesConfidence()).isTrue();
    assertThat(eval.get("stack").get("confidence").asDouble())
        .isEqualTo(ProcessRewardModel.metadata(prm).stack().confidence());
    assertThat(eval.get("stack_fitted_on").asText()).isIn("held_out", "train");

    JsonNode selection = new ObjectMapper().readTree(trained.resolve("selection.json").toFile());
    for (String key : SelectionTable.METHODS) {
      assertThat(selection.get("n8").get(key).asDouble()).as(key).isBetween(0.0, 1.0);
    }
    // The oracle picks right whenever any method can.
    assertThat(selection.get("n8").get("pass_at_n").asDouble())
        .isGreaterThanOrEqualTo(selection.get("n8").get("majority").asDouble())
        .isGreaterThanOrEqualTo(selection.get("n8").get("weighted_sc").asDouble());
    assertThat(selection.get("prm_step_accuracy").get("soft").asDouble()).isBetween(0.0, 1.0);
    assertThat(selection.get("prm_step_accuracy").get("hard").isNull()).isTrue();
    assertThat(log.toString()).contains("weighted_sc").contains("PRM step accuracy");
    assertThat(summary.stages())
        .extracting(s -> s.name().key())
        .containsExactly("prm_train", "selection");
  }

  /**
   * Too few labels for the score stack is bad input a restart cannot fix: the job fails before its
   * first update, once, with the reason — not after training and the restart strategy's attempts.
   */
  @Test
  void tooFewLabelsFailTheJobBeforeTrainingAndWithoutRestarts(@TempDir Path out) throws Exception {
    RunConfig config =
        RunConfigLoader.parse(
            SMALL, "it.yaml", Map.of("run.output_dir", out.toString(), "run.id", "few"));
    Path policy = UntrainedPolicy.save(config.policy(), config.run().seed(), out.resolve("policy"));
    Path labels = out.resolve("labels");
    Files.createDirectories(labels);
    try (OutputStream stream = Files.newOutputStream(labels.resolve("few.avro"));
        DataFileWriter<ProcessLabel> writer = TraceFiles.writer(ProcessLabel.class, stream)) {
      for (int i = 0; i < 12; i++) {
        writer.append(
            ProcessLabel.newBuilder(label(i % 2, "1 + 1 = 2"))
                .setQuestionId("q" + i)
                .setQuestion("start 1, +" + (i + 1))
                .setStep("1 + " + (i + 1) + " = " + (i + 2))
                .build());
      }
    }
    StringWriter log = new StringWriter();
    PrintWriter print = new PrintWriter(log, true);
    Throwable failure;
    try (JobRunner runner = new JobRunner(1, false, print)) {
      Pipeline training =
          Pipeline.builder(config, print, Clock.systemUTC())
              .optLabels(new org.apache.flink.core.fs.Path(labels.toUri()))
              .build();
      failure =
          org.assertj.core.api.Assertions.catchThrowable(
              () ->
                  training.run(
                      List.of(Pipeline.Stage.PRM_TRAIN), Optional.of(policy.toString()), runner));
    }
    assertThat(failure).isNotNull();
    List<Throwable> chain =
        org.apache.commons.lang3.exception.ExceptionUtils.getThrowableList(failure);
    assertThat(chain).anyMatch(SuppressRestartsException.class::isInstance);
    assertThat(chain)
        .filteredOn(IllegalArgumentException.class::isInstance)
        .extracting(Throwable::getMessage)
        .containsExactly(
            "Too few labels to fit the score stack on: 12, fewer than 50 held out or trained on;"
                + " set prm.confidence: none or collect more labels");
    assertThat(chain)
        .extracting(Throwable::getMessage)
        .noneMatch(m -> m != null && m.contains("FixedDelayRestartBackoffTimeStrategy"));
    assertThat(log.toString()).doesNotContain("loss"); // no update ran
  }

  /** One label with mc_value 1.5, one whose step holds a line break. */
  private static void writeBadLabels(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    try (OutputStream stream = Files.newOutputStream(file);
        DataFileWriter<ProcessLabel> writer = TraceFiles.writer(ProcessLabel.class, stream)) {
      writer.append(label(1.5, "1 + 1 = 2"));
      writer.append(label(0.5, "1 + 1 = 2\n2 + 1 = 3"));
    }
  }

  private static ProcessLabel label(double mc, String step) {
    return ProcessLabel.newBuilder()
        .setQuestionId("bad")
        .setQuestion("start 1, +1, +1")
        .setSearchId(0)
        .setPolicyVersion(0)
        .setPrefixSteps(List.of())
        .setStep(step)
        .setMcValue(mc)
        .setRollouts(4)
        .build();
  }
}
