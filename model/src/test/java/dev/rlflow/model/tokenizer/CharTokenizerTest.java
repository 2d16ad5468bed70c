package dev.rlflow.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rlflow.core.task.arith.ArithGenerator;
import dev.rlflow.core.task.arith.ArithProblem;
import dev.rlflow.core.task.arith.ArithSpec;
import dev.rlflow.core.task.arith.ArithSplit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CharTokenizerTest {

  private final CharTokenizer tokenizer = new CharTokenizer();

  @Test
  void theIdTableIsPinned() {
    // Checkpoints store ids: a change to this table breaks every checkpoint trained with it.
    List<String> expected =
        List.of(
            "<pad>", "<bos>", "<eos>", "<step>", "<unk>", // 0..4
            "\n", " ", // 5, 6
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", // 7..16
            "+", "-", "*", "/", "=", ",", ".", ":", "(", ")", "?", "%", "$", "#", "'", // 17..31
            "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", // 32..44
            "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z"); // 45..57
    List<String> actual = new ArrayList<>();
    for (int id = 0; id < tokenizer.vocabSize(); id++) {
      actual.add(tokenizer.token(id));
    }

    assertThat(actual).containsExactlyElementsOf(expected);
    assertThat(tokenizer.vocabSize()).isEqualTo(58).isLessThan(64);
    for (int id = CharTokenizer.SPECIAL_TOKENS.length; id < expected.size(); id++) {
      assertThat(tokenizer.encode(expected.get(id)))
          .as("id of %s", expected.get(id))
          .containsExactly(id);
    }
  }

  @Test
  void specialIds() {
    assertThat(tokenizer.padId()).isZero();
    assertThat(tokenizer.bosId()).isEqualTo(1);
    assertThat(tokenizer.eosId()).isEqualTo(2);
    assertThat(tokenizer.stepTagId()).isEqualTo(3);
    assertThat(tokenizer.encode("?")).containsExactly(27);
    assertThat(tokenizer.name()).isEqualTo("char");
  }

  @Test
  void arithQuestionsAndSolutionsRoundTrip() {
    for (ArithSplit split : ArithSplit.values()) {
      for (ArithProblem problem :
          new ArithGenerator(ArithSpec.defaults(), split, 7).generate(1000)) {
        for (String text : List.of(problem.question(), problem.referenceSolution())) {
          int[] ids = tokenizer.encode(text);

          assertThat(tokenizer.canEncode(text)).as(text).isTrue();
          assertThat(ids).hasSize(text.length()).doesNotContain(CharTokenizer.UNK);
          assertThat(tokenizer.decode(ids)).isEqualTo(text);
          assertThat(tokenizer.decode(ids, false)).isEqualTo(text);
        }
      }
    }
  }

  @Test
  void encodesAnArithSolutionToExactIds() {
    assertThat(tokenizer.encode("3 - 8 = -5\nanswer: -5"))
        .containsExactly(
            10, 6, 18, 6, 15, 6, 21, 6, 18, 12, 5, 32, 45, 50, 54, 36, 49, 24, 6, 18, 12);
  }

  @Test
  void unknownCharactersBecomeUnkAndDecodeToTheReplacementCharacter() {
    // Upper case, a tab, a non-ASCII letter and a character outside the BMP (two chars, one id).
    String text = "Start\t7é\uD83D\uDE42";

    int[] ids = tokenizer.encode(text);

    assertThat(ids).containsExactly(4, 51, 32, 49, 51, 4, 14, 4, 4);
    assertThat(tokenizer.decode(ids)).isEqualTo("\uFFFDtart\uFFFD7\uFFFD\uFFFD");
    assertThat(tokenizer.decode(ids, false)).isEqualTo("<unk>tart<unk>7<unk><unk>");
    assertThat(tokenizer.canEncode(text)).isFalse();
    assertThat(tokenizer.canEncode("answer: 12")).isTrue();
    assertThat(tokenizer.canEncode("")).isTrue();
  }

  @Test
  void specialTokenTextIsNotASpecialToken() {
    assertThat(tokenizer.encode("<eos>")).containsExactly(4, 36, 46, 50, 4);
    assertThat(tokenizer.encode("")).isEmpty();
  }

  @Test
  void decodeSkipsSpecialTokensUnlessAsked() {
    int[] ids = {1, 32, 3, 5, 33, 2, 0, 0};

    assertThat(tokenizer.decode(ids)).isEqualTo("a\nb");
    assertThat(tokenizer.decode(ids, true)).isEqualTo("a\nb");
    assertThat(tokenizer.decode(ids, false)).isEqualTo("<bos>a<step>\nb<eos><pad><pad>");
  }

  @Test
  void idsOutsideTheVocabularyAreRejected() {
    assertThatThrownBy(() -> tokenizer.decode(new int[] {5, 58}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid token id 58: must be in [0, 58) for the char tokenizer");
    assertThatThrownBy(() -> tokenizer.token(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void closeIsANoOp() {
    tokenizer.close();

    assertThat(tokenizer.decode(tokenizer.encode("ok"))).isEqualTo("ok");
  }
}
