import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.akb.cache.CacheLocation;
import io.akb.cache.CacheOptions;
import io.akb.cache.CacheRecord;
import io.akb.cache.CacheTransaction;
import io.akb.cache.SqlCache;
import io.akb.cache.StoredOffset;
import io.akb.cache.WriteStrategy;
import io.akb.runtime.protocol.AirbyteJson;
import io.akb.runtime.protocol.ConfiguredAirbyteStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bulk-load benchmark of the SQL cache: N faker-shaped "users" records written in batches the way
 * the bridge writes them (one transaction per batch with the batch's offsets), into DuckDB or
 * PostgreSQL. Prints rows/s and the peak heap in use (sampled every 20 ms).
 *
 * <p>Usage (see run.sh): CacheBench LOCATION RECORDS BATCH STRATEGY. STRATEGY {@code limit} loads
 * the same rows with the database's own bulk load instead (DuckDB: {@code read_json} of a JSONL
 * file; PostgreSQL: {@code COPY ... FROM STDIN} of a CSV file), in one statement, into the same typed
 * table AKB creates: the limit AKB is measured against. Writing the file is not timed.
 */
public class CacheBench {
  private static final String[] NAMES = {"Tien", "Ann", "Bo", "Carla", "Dmitri", "Eve", "Farid", "Gül"};
  private static final String[] CITIES = {"Euless", "Oslo", "Lyon", "Pune", "Quito", "Tartu"};

  public static void main(String[] args) throws Exception {
    String location = args[0];
    long records = Long.parseLong(args[1]);
    int batch = Integer.parseInt(args[2]);
    if (args[3].equals("limit")) {
      limit(location, records);
      return;
    }
    WriteStrategy strategy = WriteStrategy.fromProperty(args[3]);

    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong peakHeap = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();

    Random random = new Random(42);
    long start;
    long end;
    try (SqlCache cache = SqlCache.open(CacheLocation.parse(location), CacheOptions.defaults())) {
      try (CacheTransaction tx = cache.begin()) {
        tx.registerStream("source-faker", usersStream(), strategy);
        tx.commit();
      }
      long cpuStart = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
      start = System.nanoTime();
      long written = 0;
      java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long generateCpu = 0;
      while (written < records) {
        int size = (int) Math.min(batch, records - written);
        long generating = threads.getCurrentThreadCpuTime();
        List<CacheRecord> rows = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          long id = written + i + 1;
          rows.add(new CacheRecord("raw-" + id, "sync-1", user(id, random), 1_700_000_000_000L + id, null));
        }
        written += size;
        generateCpu += threads.getCurrentThreadCpuTime() - generating;
        try (CacheTransaction tx = cache.begin()) {
          tx.write("source-faker", "users", rows);
          tx.saveOffsets("bench", Map.of("airbyte.source-faker.users/0", new StoredOffset(written, Map.of("sync-1", written))));
          tx.commit();
        }
      }
      end = System.nanoTime();
      long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - cpuStart;
      long count = cache.count("users");
      if (Boolean.getBoolean("bench.threads")) {
        printThreadCpu();
      }
      double seconds = (end - start) / 1e9;
      System.out.printf(
          "location=%s records=%d batch=%d strategy=%s rows_in_table=%d seconds=%.1f rows_per_s=%.0f load_rows_per_s=%.0f cpu_s=%.1f generate_cpu_s=%.1f cache_rows_per_cpu_s=%.0f load=%s peak_heap_mb=%.0f max_heap_mb=%d%n",
          location.replaceAll("password=[^&]*", "password=***").replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@"), records, batch, strategy, count, seconds,
          records / seconds, records / (seconds - generateCpu / 1e9), cpu / 1e9, generateCpu / 1e9, records / ((cpu - generateCpu) / 1e9),
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0], peakHeap.get() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576);
    }
  }

  /** The columns of AKB's users table, in the order both limit files hold them. */
  private static final String[] LIMIT_COLUMNS = {"_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta",
      "id", "created_at", "updated_at", "name", "title", "age", "email", "telephone", "gender", "language",
      "academic_degree", "nationality", "occupation", "height", "blood_type", "weight", "address"};

  /**
   * The database's own bulk load of the same rows into the same (empty) typed table AKB creates for
   * the stream, with AKB's indexes: rows/s of the one load statement.
   */
  static void limit(String location, long records) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("akb-limit", location.startsWith("duckdb:") ? ".jsonl" : ".csv");
    boolean duck = location.startsWith("duckdb:");
    Random random = new Random(42);
    try (java.io.Writer out = java.nio.file.Files.newBufferedWriter(file)) {
      for (long id = 1; id <= records; id++) {
        ObjectNode row = AirbyteJson.MAPPER.createObjectNode();
        row.put("_airbyte_raw_id", "raw-" + id);
        row.put("_airbyte_extracted_at", java.time.Instant.ofEpochMilli(1_700_000_000_000L + id).toString());
        row.set("_airbyte_meta", AirbyteJson.MAPPER.readTree("{\"changes\":[],\"sync_id\":\"sync-1\"}"));
        row.setAll((ObjectNode) user(id, random));
        if (duck) {
          out.write(row.toString());
        } else {
          StringBuilder csv = new StringBuilder();
          for (String column : LIMIT_COLUMNS) {
            JsonNode value = row.get(column);
            String text = value.isValueNode() ? value.asText() : value.toString();
            csv.append(csv.length() > 0 ? "," : "").append('"').append(text.replace("\"", "\"\"")).append('"');
          }
          out.write(csv.toString());
        }
        out.write('\n');
      }
    }
    long start;
    long end;
    // The cache's own connection factory: the same database, and for DuckDB the same open file.
    try (SqlCache cache = SqlCache.open(CacheLocation.parse(location), CacheOptions.defaults())) {
      try (CacheTransaction tx = cache.begin()) {
        tx.registerStream("source-faker", usersStream(), WriteStrategy.APPEND);
        tx.commit();
      }
      try (java.sql.Connection connection = ((io.akb.cache.jdbc.JdbcSqlCache) cache).openConnection();
        java.sql.Statement statement = connection.createStatement()) {
      if (duck) {
        StringBuilder columns = new StringBuilder();
        try (java.sql.ResultSet types = statement.executeQuery(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users'")) {
          while (types.next()) {
            columns.append(columns.length() > 0 ? ", " : "").append('\'').append(types.getString(1)).append("': '")
                .append(types.getString(2)).append('\'');
          }
        }
        start = System.nanoTime();
        statement.execute("INSERT INTO users BY NAME SELECT * FROM read_json('" + file
            + "', format = 'newline_delimited', columns = {" + columns + "})");
        end = System.nanoTime();
      } else {
        org.postgresql.copy.CopyManager copy = connection.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        start = System.nanoTime();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(file)) {
          copy.copyIn("COPY users (" + String.join(", ", LIMIT_COLUMNS) + ") FROM STDIN WITH (FORMAT csv)", in);
        }
        end = System.nanoTime();
      }
      long count;
      try (java.sql.ResultSet rows = statement.executeQuery("SELECT count(*) FROM users")) {
        rows.next();
        count = rows.getLong(1);
      }
      double seconds = (end - start) / 1e9;
      System.out.printf("location=%s records=%d strategy=limit rows_in_table=%d seconds=%.1f rows_per_s=%.0f load=%s%n",
          location.replaceAll("//([^:/@]+):[^@/]*@", "//$1:***@"), records, count, seconds, records / seconds,
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0]);
      }
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  /** CPU seconds per thread name (JIT, GC, DuckDB's own threads, main), from /proc. */
  static void printThreadCpu() throws Exception {
    Map<String, Double> byName = new java.util.TreeMap<>();
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
        String name = java.nio.file.Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "#");
        String stat = java.nio.file.Files.readString(task.resolve("stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double seconds = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        byName.merge(name, seconds, Double::sum);
      }
    }
    byName.forEach((name, seconds) -> { if (seconds >= 0.1) System.out.printf("  thread %-20s %.1f s%n", name, seconds); });
  }

  static JsonNode user(long id, Random random) {
    ObjectNode user = AirbyteJson.MAPPER.createObjectNode();
    user.put("id", id);
    user.put("created_at", "2010-06-16T20:09:" + String.format("%02d", id % 60) + "+00:00");
    user.put("updated_at", "2026-11-21T05:29:43+00:00");
    user.put("name", NAMES[random.nextInt(NAMES.length)]);
    user.put("title", "LL.D");
    user.put("age", 18 + random.nextInt(70));
    user.put("email", "user" + id + "@example.org");
    user.put("telephone", "383.238." + (1000 + random.nextInt(9000)));
    user.put("gender", "Fluid");
    user.put("language", "Russian");
    user.put("academic_degree", "PhD");
    user.put("nationality", "Ukrainian");
    user.put("occupation", "Piano Tuner");
    user.put("height", "1." + (50 + random.nextInt(50)));
    user.put("blood_type", "B−");
    user.put("weight", 40 + random.nextInt(80));
    ObjectNode address = user.putObject("address");
    address.put("street_number", String.valueOf(random.nextInt(999)));
    address.put("street_name", "Lansing");
    address.put("city", CITIES[random.nextInt(CITIES.length)]);
    address.put("state", "Georgia");
    address.put("postal_code", String.valueOf(10000 + random.nextInt(89999)));
    address.put("country_code", "IR");
    return user;
  }

  static ConfiguredAirbyteStream usersStream() throws Exception {
    String schema = "{\"type\":\"object\",\"properties\":{"
        + "\"id\":{\"type\":\"integer\"},\"created_at\":{\"type\":\"string\",\"format\":\"date-time\"},"
        + "\"updated_at\":{\"type\":\"string\",\"format\":\"date-time\"},\"name\":{\"type\":\"string\"},"
        + "\"title\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"},\"email\":{\"type\":\"string\"},"
        + "\"telephone\":{\"type\":\"string\"},\"gender\":{\"type\":\"string\"},\"language\":{\"type\":\"string\"},"
        + "\"academic_degree\":{\"type\":\"string\"},\"nationality\":{\"type\":\"string\"},"
        + "\"occupation\":{\"type\":\"string\"},\"height\":{\"type\":\"string\"},\"blood_type\":{\"type\":\"string\"},"
        + "\"weight\":{\"type\":\"integer\"},\"address\":{\"type\":\"object\"}}}";
    String stream = "{\"stream\":{\"name\":\"users\",\"json_schema\":" + schema
        + ",\"supported_sync_modes\":[\"full_refresh\",\"incremental\"]},\"sync_mode\":\"incremental\","
        + "\"destination_sync_mode\":\"append_dedup\",\"primary_key\":[[\"id\"]]}";
    return AirbyteJson.MAPPER.readValue(stream, ConfiguredAirbyteStream.class);
  }
}
