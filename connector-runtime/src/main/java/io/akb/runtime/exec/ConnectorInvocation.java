package io.akb.runtime.exec;

import java.util.List;
import java.util.Map;

/**
 * One run of a connector: the command ({@code spec}, {@code check}, {@code discover}, {@code read},
 * {@code write}), the file arguments as flag to JSON text (written to private files by the
 * executor: {@code --config}, {@code --catalog}, {@code --state}), any plain extra arguments, and
 * whether the caller will write to the connector's stdin.
 */
public record ConnectorInvocation(
    String command, Map<String, String> fileArguments, List<String> extraArguments, boolean stdin) {

  public ConnectorInvocation {
    fileArguments = Map.copyOf(fileArguments);
    extraArguments = List.copyOf(extraArguments);
  }

  public static ConnectorInvocation of(String command) {
    return new ConnectorInvocation(command, Map.of(), List.of(), false);
  }
}
