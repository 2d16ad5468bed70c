package dev.rlflow.core.answer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class RationalTest {

  @Test
  void keepsLowestTermsWithPositiveDenominator() {
    Rational value = Rational.of(6, -8);

    assertThat(value.numerator()).isEqualTo(BigInteger.valueOf(-3));
    assertThat(value.denominator()).isEqualTo(BigInteger.valueOf(4));
    assertThat(value).hasToString("-3/4").isEqualTo(Rational.of(-3, 4));
    assertThat(Rational.of(0, -5)).isEqualTo(Rational.ZERO).hasToString("0");
  }

  @Test
  void readsDecimalsExactly() {
    assertThat(Rational.of(new BigDecimal("2.50"))).isEqualTo(Rational.of(5, 2));
    assertThat(Rational.of(new BigDecimal("0.333"))).isEqualTo(Rational.of(333, 1000));
    assertThat(Rational.of(new BigDecimal("1E+3"))).isEqualTo(Rational.of(1000));
  }

  @Test
  void computesExactly() {
    Rational third = Rational.of(1, 3);

    assertThat(third.plus(third).plus(third)).isEqualTo(Rational.of(1));
    assertThat(third.minus(Rational.of(1, 2))).isEqualTo(Rational.of(-1, 6));
    assertThat(third.times(Rational.of(3, 4))).isEqualTo(Rational.of(1, 4));
    assertThat(third.dividedBy(Rational.of(2))).isEqualTo(Rational.of(1, 6));
    assertThat(Rational.of(-2, 3).abs()).isEqualTo(Rational.of(2, 3));
    assertThat(third.compareTo(Rational.of(333, 1000))).isPositive();
  }

  @Test
  void rejectsZeroDenominator() {
    assertThatThrownBy(() -> Rational.of(1, 0))
        .isInstanceOf(ArithmeticException.class)
        .hasMessage("Rational 1/0: denominator must not be zero");
    assertThatThrownBy(() -> Rational.of(1).dividedBy(Rational.ZERO))
        .isInstanceOf(ArithmeticException.class);
  }
}
