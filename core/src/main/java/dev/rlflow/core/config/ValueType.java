package dev.rlflow.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The type of a configuration value: how it is read from YAML or from a {@code -Dkey=value}
 * override, and how it is written back when the resolved configuration is printed.
 *
 * <p>Numbers and booleans are also accepted as strings, because every override is a string. Reading
 * fails with a {@link BadValue} whose message completes "must ...".
 */
public interface ValueType<T> {

  /** The type as named in the configuration reference: {@code integer}, {@code duration}. */
  String name();

  /** Parses override text; throws {@link BadValue} naming the expected form. */
  T parse(String text);

  /** A YAML-ready scalar (a String, Number or Boolean) for printing the resolved value. */
  Object render(T value);

  /** Reads a YAML node; scalars go through {@link #parse}, containers are rejected. */
  default T read(JsonNode node) {
    if (node.isContainerNode()) {
      throw new BadValue("be " + article() + " " + name() + ", not a " + containerName(node));
    }
    return parse(node.asText());
  }

  private String article() {
    return name().matches("^[aeiou].*") ? "an" : "a";
  }

  private static String containerName(JsonNode node) {
    return node.isArray() ? "list" : "mapping";
  }

  /** A value that does not have the expected type; the message completes "must ...". */
  final class BadValue extends RuntimeException {
    BadValue(String rule) {
      super(rule, null, false, false);
    }
  }

  ValueType<Integer> INT =
      simple(
          "integer",
          text -> {
            try {
              return Integer.parseInt(text.trim());
            } catch (NumberFormatException e) {
              throw new BadValue("be an integer");
            }
          });

  ValueType<Long> LONG =
      simple(
          "long integer",
          text -> {
            try {
              return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
              throw new BadValue("be an integer");
            }
          });

  ValueType<Double> DOUBLE =
      simple(
          "number",
          text -> {
            try {
              double value = Double.parseDouble(text.trim());
              if (!Double.isFinite(value)) {
                throw new BadValue("be a finite number");
              }
              return value;
            } catch (NumberFormatException e) {
              throw new BadValue("be a number");
            }
          });

  ValueType<Boolean> BOOLEAN =
      simple(
          "boolean",
          text ->
              switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new BadValue("be true or false");
              });

  ValueType<String> STRING =
      new ValueType<>() {
        @Override
        public String name() {
          return "string";
        }

        @Override
        public String parse(String text) {
          return text;
        }

        @Override
        public Object render(String value) {
          return value;
        }
      };

  /** Durations such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
  ValueType<Duration> DURATION =
      new ValueType<>() {
        private static final Pattern FORM = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

        @Override
        public String name() {
          return "duration";
        }

        @Override
        public Duration parse(String text) {
          Matcher m = FORM.matcher(text.trim());
          if (!m.matches()) {
            throw new BadValue("be a duration such as 500ms, 30s, 5m or 1h");
          }
          long amount = Long.parseLong(m.group(1));
          return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
          };
        }

        @Override
        public Object render(Duration value) {
          long ms = value.toMillis();
          if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
          } else if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
          } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
          }
          return ms + "ms";
        }
      };

  /**
   * An enum written in lower case in YAML ({@code reinforce_pp} for {@code REINFORCE_PP}); the
   * error lists the allowed values.
   */
  static <E extends Enum<E>> ValueType<E> ofEnum(Class<E> type) {
    String allowed =
        Arrays.stream(type.getEnumConstants())
            .map(ValueType::enumName)
            .collect(Collectors.joining(", "));
    return new ValueType<>() {
      @Override
      public String name() {
        return "one of " + allowed;
      }

      @Override
      public E parse(String text) {
        for (E constant : type.getEnumConstants()) {
          if (enumName(constant).equals(text.trim())) {
            return constant;
          }
        }
        throw new BadValue("be one of " + allowed);
      }

      @Override
      public Object render(E value) {
        return enumName(value);
      }
    };
  }

  /** How an enum constant is spelled in YAML. */
  static String enumName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  private static <T> ValueType<T> simple(
      String name, java.util.function.Function<String, T> parser) {
    return new ValueType<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public T parse(String text) {
        return parser.apply(text);
      }

      @Override
      public Object render(T value) {
        return value;
      }
    };
  }
}
