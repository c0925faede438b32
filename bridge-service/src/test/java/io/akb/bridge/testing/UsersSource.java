package io.akb.bridge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.testkit.FakeConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The incremental source of the crash and failure tests: one stream, users (key and cursor id). Its
 * read resumes after the id in its {@code --state}, writes the id it resumes from to {@code
 * reads.log} ({@link #reads}, so a test sees what each run was given), and sends the ids up to
 * {@code total} with a state after every {@code checkpointEvery}-th. Its config can make it fail
 * right after its N-th record of the run: {@code "kill_after": N} SIGKILLs it (exit 137, as the OOM
 * killer leaves it), {@code "fail_after": N} sends a TRACE ERROR and exits 1.
 */
public final class UsersSource {
  /** The one stream, users (key and cursor id), as the CATALOG line of a discover. */
  public static final String CATALOG =
      "{\"type\":\"CATALOG\",\"catalog\":{\"streams\":[{\"name\":\"users\",\"json_schema\":"
          + "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}},"
          + "\"supported_sync_modes\":[\"full_refresh\",\"incremental\"],"
          + "\"source_defined_cursor\":true,\"default_cursor_field\":[\"id\"],"
          + "\"source_defined_primary_key\":[[\"id\"]]}]}}";

  /** The TRACE ERROR line a failing read sends. */
  public static final String TRACE_ERROR =
      "{\"type\":\"TRACE\",\"trace\":{\"type\":\"ERROR\",\"emitted_at\":1700000000000,"
          + "\"error\":{\"message\":\"the users API answered 500\","
          + "\"failure_type\":\"system_error\"}}}";

  private final Path dir;
  private final FakeConnector connector;

  private UsersSource(Path dir, FakeConnector connector) {
    this.dir = dir;
    this.connector = connector;
  }

  /**
   * A users source program in {@code dir}: {@code spec} answers spec, check succeeds, discover
   * answers {@link #CATALOG}, and {@code readBody} (shell lines) runs for read, where {@code
   * $CONFIG} and {@code $STATE} are the paths of the files given (empty for none).
   */
  public static FakeConnector program(Path dir, String name, String spec, String readBody) {
    return FakeConnector.bash(
        dir,
        name,
        "CONFIG=''; STATE=''; prev=''; for arg in \"$@\"; do [ \"$prev\" = --config ] &&"
            + " CONFIG=$arg; [ \"$prev\" = --state ] && STATE=$arg; prev=$arg; done\n"
            + "case \"$1\" in\n"
            + "  spec) echo '"
            + spec
            + "' ;;\n"
            + "  check) echo"
            + " '{\"type\":\"CONNECTION_STATUS\",\"connectionStatus\":{\"status\":\"SUCCEEDED\"}}'"
            + " ;;\n"
            + "  discover) echo '"
            + CATALOG
            + "' ;;\n"
            + "  read)\n"
            + readBody
            + " ;;\n"
            + "esac");
  }

  /** The source's program, written to {@code dir} as {@code name}. */
  public static UsersSource write(Path dir, String name, int total, int checkpointEvery) {
    String spec =
        "{\"type\":\"SPEC\",\"spec\":{\"connectionSpecification\":{\"type\":\"object\","
            + "\"properties\":{\"kill_after\":{\"type\":\"integer\"},"
            + "\"fail_after\":{\"type\":\"integer\"}}}}}";
    FakeConnector connector =
        program(
            dir,
            name,
            spec,
            "    kill_after=$(grep -o '\"kill_after\": *[0-9]*' \"$CONFIG\" | grep -o"
                + " '[0-9]*$')\n"
                + "    fail_after=$(grep -o '\"fail_after\": *[0-9]*' \"$CONFIG\" | grep -o"
                + " '[0-9]*$')\n"
                + "    from=0\n"
                + "    if [ -n \"$STATE\" ]; then\n"
                + "      from=$(grep -o '\"id\": *[0-9]*' \"$STATE\" | grep -o '[0-9]*$' | tail -1)\n"
                + "    fi\n"
                + "    echo \"from $from\" >> '"
                + dir.resolve("reads.log")
                + "'\n"
                + "    n=0\n"
                + "    for i in $(seq $((from + 1)) "
                + total
                + "); do\n"
                + "      echo \"{\\\"type\\\":\\\"RECORD\\\",\\\"record\\\":{\\\"stream\\\":"
                + "\\\"users\\\",\\\"data\\\":{\\\"id\\\":$i},\\\"emitted_at\\\":1700000000000}}\"\n"
                + "      n=$((n + 1))\n"
                + "      if [ $((i % "
                + checkpointEvery
                + ")) = 0 ]; then\n"
                + "        echo \"{\\\"type\\\":\\\"STATE\\\",\\\"state\\\":{\\\"type\\\":"
                + "\\\"STREAM\\\",\\\"stream\\\":{\\\"stream_descriptor\\\":{\\\"name\\\":"
                + "\\\"users\\\"},\\\"stream_state\\\":{\\\"id\\\":$i}}}}\"\n"
                + "      fi\n"
                + "      if [ \"$n\" = \"${kill_after:-0}\" ]; then kill -9 $$; fi\n"
                + "      if [ \"$n\" = \"${fail_after:-0}\" ]; then echo '"
                + TRACE_ERROR
                + "'; exit 1; fi\n"
                + "    done");
    return new UsersSource(dir, connector);
  }

  /** The program, for {@code --local-executable}. */
  public Path path() {
    return connector.path();
  }

  /** The state the source sends after user {@code id}, as {@code _airbyte_state} keeps it. */
  public static JsonNode state(int id) throws IOException {
    return AirbyteJson.MAPPER.readTree(
        "{\"type\":\"STREAM\",\"stream\":{\"stream_descriptor\":{\"name\":\"users\"},"
            + "\"stream_state\":{\"id\":"
            + id
            + "}}}");
  }

  /** What each read was given, in order: {@code from <id>}. */
  public List<String> reads() throws IOException {
    return Files.readAllLines(dir.resolve("reads.log"));
  }
}
