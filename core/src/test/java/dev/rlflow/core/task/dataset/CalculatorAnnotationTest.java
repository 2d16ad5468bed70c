package dev.rlflow.core.task.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CalculatorAnnotationTest {

  static Stream<Arguments> annotations() {
    return Stream.of(
        arguments("<<48/2=24>>", null),
        arguments("<<1/3*3=1>>", null),
        arguments("<<(10-4)/(1+2)=2>>", null),
        arguments("<<-5+10=5>>", null),
        arguments("<<3/4=.75>>", null),
        arguments("<<0.1+0.2=0.3>>", null),
        arguments("<< 12 * 50 = 600 >>", null),
        // a stated value with decimals may be rounded or truncated: within one unit of its last
        // place
        arguments("<<2/3=0.67>>", null),
        arguments("<<2/3=0.66>>", null),
        arguments("<<2/3=0.65>>", "2/3 evaluates to 2/3, stated 0.65"),
        arguments("<<-2/3=-0.67>>", null),
        // a whole-number stated value must be exact
        arguments("<<7/2=3>>", "7/2 evaluates to 7/2, stated 3"),
        arguments("<<2*3=7>>", "2*3 evaluates to 6, stated 7"),
        arguments("<<10/0=1>>", "cannot evaluate '10/0': division by zero"),
        arguments("<<2**3=8>>", "cannot evaluate '2**3': unexpected '*' at position 3"),
        arguments("<<2*(3=6>>", "cannot evaluate '2*(3': unexpected end"),
        arguments("<<1,000*2=2000>>", "cannot evaluate '1,000*2': unexpected ',' at position 2"),
        arguments(
            "<<" + "(".repeat(200) + "1" + ")".repeat(200) + "=1>>",
            "cannot evaluate '"
                + "(".repeat(200)
                + "1"
                + ")".repeat(200)
                + "': nested deeper"
                + " than 100"),
        arguments("<<48/2>>", "no '=' between expression and value"),
        arguments("<<2*3=six>>", "stated value 'six' is not a number"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("annotations")
  void checksStatedValue(String written, String reason) {
    assertThat(new CalculatorAnnotation(written).mismatch()).isEqualTo(Optional.ofNullable(reason));
  }

  @Test
  void findsAndStripsAnnotationsKeepingVisibleText() {
    String text = "She sold 48/2 = <<48/2=24>>24 clips and 24+48 = <<24+48=72>>72 in all.";

    assertThat(CalculatorAnnotation.findAll(text))
        .containsExactly(
            new CalculatorAnnotation("<<48/2=24>>"), new CalculatorAnnotation("<<24+48=72>>"));
    assertThat(CalculatorAnnotation.strip(text))
        .isEqualTo("She sold 48/2 = 24 clips and 24+48 = 72 in all.");
    assertThat(CalculatorAnnotation.findAll("no annotations")).isEqualTo(List.of());
  }
}
