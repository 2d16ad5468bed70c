package dev.rlflow.jobs.rlhf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.rl.Prompt;
import dev.rlflow.core.rl.Response;
import dev.rlflow.core.rl.ScoredResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch cut into shards for the rollout subtasks and put together again for the trainer. */
class PromptBatchShardsTest {
  private static final int SAMPLES = 2;

  @Test
  void promptGGoesToShardGModN() {
    PromptBatch batch = batch(7);
    List<PromptBatch> shards = batch.shards(3);
    assertThat(shards).extracting(PromptBatch::shard).containsExactly(0, 1, 2);
    assertThat(shards).allSatisfy(s -> assertThat(s.shards()).isEqualTo(3));
    assertThat(shards.get(0).prompts()).extracting(Prompt::group).containsExactly(0, 3, 6);
    assertThat(shards.get(1).prompts()).extracting(Prompt::group).containsExactly(1, 4);
    assertThat(shards.get(2).prompts()).extracting(Prompt::group).containsExactly(2, 5);
    assertThatThrownBy(() -> shards.get(0).shards(2)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void mergedShardsAreTheWholeBatchInPromptAndSampleOrderWhateverTheirArrival() {
    PromptBatch batch = batch(5);
    List<RlBatch> scored = new ArrayList<>();
    for (PromptBatch shard : batch.shards(2)) {
      scored.add(scored(shard, 1.0 + shard.shard(), 0.5, shard.shard() + 1));
    }
    Collections.reverse(scored); // shard 1 first
    RlBatch merged = RlBatch.merge(scored);

    assertThat(merged.shard()).isZero();
    assertThat(merged.shards()).isEqualTo(1);
    assertThat(merged.responses()).hasSize(5 * SAMPLES);
    for (int i = 0; i < merged.responses().size(); i++) {
      Response r = merged.responses().get(i).response();
      assertThat(r.prompt().group()).isEqualTo(i / SAMPLES);
      assertThat(r.tokens()[0]).as("sample index").isEqualTo(i % SAMPLES);
    }
    assertThat(merged.generationSeconds()).isEqualTo(2.0); // the slower shard's
    // every response accepted; 1 + 2 of them with a wrong step
    assertThat(merged.acceptedWrongStepShare()).isEqualTo(3.0 / (5 * SAMPLES));
  }

  @Test
  void aShardWithoutAStepCheckerLeavesTheMergedShareUnmeasured() {
    List<PromptBatch> shards = batch(4).shards(2);
    RlBatch merged =
        RlBatch.merge(List.of(scored(shards.get(0), 1, 1, 2), scored(shards.get(1), 1, 1, -1)));
    assertThat(merged.acceptedWrongStepShare()).isNaN();
  }

  @Test
  void mergeRefusesAnIncompleteOrMixedSetOfShards() {
    List<PromptBatch> shards = batch(4).shards(2);
    RlBatch first = scored(shards.get(0), 1, 1, 0);
    assertThatThrownBy(() -> RlBatch.merge(List.of(first)))
        .hasMessage("1 of the 2 shards of batch 3");
    assertThatThrownBy(() -> RlBatch.merge(List.of(first, first)))
        .hasMessage("Cannot merge shard 0/2 of batch 3 into batch 3");
  }

  private static PromptBatch batch(int prompts) {
    List<Prompt> list = new ArrayList<>();
    for (int g = 0; g < prompts; g++) {
      list.add(new Prompt(g, "p" + g, "q" + g, "1", new int[] {1, 2}));
    }
    return new PromptBatch(3, list);
  }

  private static RlBatch scored(
      PromptBatch shard, double generation, double reward, int acceptedWithWrongStep) {
    List<ScoredResponse> responses = new ArrayList<>();
    for (Prompt p : shard.prompts()) {
      for (int k = 0; k < SAMPLES; k++) {
        Response r = new Response(p, new int[] {k}, new float[] {-0.5f}, new int[0]);
        responses.add(ScoredResponse.outcomeOnly(r, true, 1));
      }
    }
    return new GeneratedBatch(3, shard.shard(), shard.shards(), 2, List.of(), generation, 0)
        .scored(responses, reward, acceptedWithWrongStep);
  }
}
