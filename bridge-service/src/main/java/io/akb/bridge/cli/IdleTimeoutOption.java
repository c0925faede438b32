package io.akb.bridge.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --idle-timeout}: how long a running connector may print nothing before it is killed and
 * the command fails ({@link io.akb.runtime.ConnectorOptions#idleTimeout}).
 */
final class IdleTimeoutOption {
  /** The runtime's default, as the option spells it. */
  static final String DEFAULT = "10m";

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      defaultValue = DEFAULT,
      converter = DurationConverter.class,
      description =
          "How long the connector may print nothing (no record, state or log line) before it is"
              + " stopped and the command fails, such as 90s, 30m or 2h; 0 waits forever. Raise it"
              + " for a source that is silent for long while it works. Default: ${DEFAULT-VALUE}.")
  Duration idleTimeout;

  /** {@code 500ms}, {@code 45s}, {@code 10m}, {@code 2h}, or {@code 0}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    @Override
    public Duration convert(String value) {
      Matcher matcher = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
      if (!matcher.matches()) {
        throw new TypeConversionException(
            "'" + value + "' is not a duration: give a number and a unit, such as 90s, 30m or 2h");
      }
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2);
      if (unit == null) {
        if (amount != 0) {
          throw new TypeConversionException(
              "'" + value + "' has no unit: write " + amount + "s or " + amount + "m");
        }
        return Duration.ZERO;
      }
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofHours(amount);
      };
    }
  }
}
