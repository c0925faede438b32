package io.akb.cache.arrow;

import io.akb.cache.jdbc.JdbcSqlCache;
import io.akb.cache.layout.ColumnType;
import io.akb.runtime.AkbException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A stream of a SQL cache as Apache Arrow record batches, PyAirbyte's {@code to_arrow}: one column
 * per table column (data columns, then {@code _airbyte_raw_id}, {@code _airbyte_extracted_at},
 * {@code _airbyte_meta}), typed from the cache's column types:
 *
 * <table>
 *   <caption>Arrow types</caption>
 *   <tr><th>cache</th><th>Arrow</th></tr>
 *   <tr><td>BIGINT</td><td>int64</td></tr>
 *   <tr><td>DECIMAL(38,9)</td><td>decimal128(38, 9)</td></tr>
 *   <tr><td>DOUBLE</td><td>float64</td></tr>
 *   <tr><td>BOOLEAN</td><td>bool</td></tr>
 *   <tr><td>DATE</td><td>date32</td></tr>
 *   <tr><td>TIMESTAMP WITH TIME ZONE</td><td>timestamp[us, tz=UTC]</td></tr>
 *   <tr><td>TIMESTAMP</td><td>timestamp[us]</td></tr>
 *   <tr><td>TIME</td><td>time64[us]</td></tr>
 *   <tr><td>TIME WITH TIME ZONE, VARCHAR, JSON</td><td>string (the database's text of the time
 *   with its offset, which Arrow's times lack; JSON as its text)</td></tr>
 * </table>
 *
 * <p>Every column is nullable. Memory stays bounded by the batch size: one batch is held at a time.
 * Arrow's memory needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} on Java 17 ({@code ./akb}
 * sets it).
 */
public final class ArrowExport {
  /** Rows per record batch unless told otherwise. */
  public static final int DEFAULT_BATCH_ROWS = 65_536;

  private ArrowExport() {}

  /** The Arrow type of a cache column type. */
  static ArrowType arrowType(ColumnType type) {
    return switch (type) {
      case BIGINT -> new ArrowType.Int(64, true);
      case DECIMAL -> new ArrowType.Decimal(38, 9, 128);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIMESTAMP_TZ -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
      case TIME -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case TIME_TZ, VARCHAR, JSON -> ArrowType.Utf8.INSTANCE;
    };
  }

  /**
   * Reads the stream's rows into record batches of up to {@code batchRows} rows, handing each to
   * {@code batches} in table order. The root is reused: read it inside the callback. An empty
   * stream is handed over once, as a batch of no rows with its schema. Returns the number of rows.
   */
  public static long forEachBatch(
      JdbcSqlCache cache,
      String stream,
      BufferAllocator allocator,
      int batchRows,
      Consumer<VectorSchemaRoot> batches) {
    try (ArrowReader reader = reader(cache, stream, allocator, batchRows)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      long total = 0;
      boolean any = false;
      while (reader.loadNextBatch()) {
        any = true;
        total += root.getRowCount();
        batches.accept(root);
      }
      if (!any) {
        batches.accept(root);
      }
      return total;
    } catch (IOException e) {
      throw new AkbException(
          "reading stream " + stream + " of " + cache.describe() + " as Arrow batches",
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
          null,
          e);
    }
  }

  /**
   * The stream's rows as an Arrow reader ({@link ArrowReader#loadNextBatch()} fills its root with
   * the next batch of up to {@code batchRows} rows, in table order), for code that pulls batches or
   * hands a reader on, such as Arrow's C data interface. It holds a connection to the cache until
   * closed.
   */
  public static ArrowReader reader(
      JdbcSqlCache cache, String stream, BufferAllocator allocator, int batchRows) {
    if (batchRows < 1) {
      throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
    }
    return new CacheReader(allocator, cache.openColumns(stream), batchRows);
  }

  /** Batches pulled from an open result of {@link JdbcSqlCache#openColumns}. */
  private static final class CacheReader extends ArrowReader {
    private final JdbcSqlCache.Columns columns;
    private final int batchRows;
    private boolean exhausted;

    CacheReader(BufferAllocator allocator, JdbcSqlCache.Columns columns, int batchRows) {
      super(allocator);
      this.columns = columns;
      this.batchRows = batchRows;
    }

    @Override
    protected Schema readSchema() {
      List<Field> fields = new ArrayList<>();
      for (int i = 0; i < columns.names().size(); i++) {
        fields.add(
            new Field(
                columns.names().get(i),
                FieldType.nullable(arrowType(columns.types().get(i))),
                null));
      }
      return new Schema(fields);
    }

    @Override
    public boolean loadNextBatch() throws IOException {
      VectorSchemaRoot root = getVectorSchemaRoot();
      root.allocateNew();
      int inBatch = 0;
      try {
        while (!exhausted && inBatch < batchRows) {
          if (!columns.rows().next()) {
            exhausted = true;
            break;
          }
          for (int i = 0; i < columns.types().size(); i++) {
            set(root.getVector(i), columns.types().get(i), columns.rows(), i + 1, inBatch);
          }
          inBatch++;
        }
      } catch (SQLException e) {
        throw new IOException(e.getMessage(), e);
      }
      root.setRowCount(inBatch);
      return inBatch > 0;
    }

    @Override
    public long bytesRead() {
      return 0; // rows come from JDBC, not from Arrow IPC bytes
    }

    @Override
    protected void closeReadSource() throws IOException {
      try {
        columns.close();
      } catch (SQLException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }

  /**
   * Writes the stream as an Arrow IPC file (Feather v2), which PyArrow ({@code
   * pyarrow.ipc.open_file}), pandas, Polars and DuckDB read. The file appears whole or not at all:
   * it is written beside its place and renamed. Returns the number of rows.
   */
  public static long writeFile(JdbcSqlCache cache, String stream, Path file) {
    Path target = file.toAbsolutePath();
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try (BufferAllocator allocator = new RootAllocator();
        FileChannel channel =
            FileChannel.open(
                partial,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
      FileWriting writing = new FileWriting(channel);
      long rows = forEachBatch(cache, stream, allocator, DEFAULT_BATCH_ROWS, writing);
      writing.end();
      channel.force(true); // on disk before the rename makes it visible
      writing.close();
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return rows;
    } catch (IOException | UncheckedIOException e) {
      throw new AkbException(
          "exporting stream " + stream + " of " + cache.describe() + " to " + target,
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
          "Check that the folder exists and is writable, and that the disk has room.",
          e);
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // Best effort: a leftover .partial file is never mistaken for the export.
      }
    }
  }

  /** Writes batches to a file: the writer is made from the first batch's root. */
  private static final class FileWriting implements Consumer<VectorSchemaRoot> {
    private final FileChannel channel;
    private ArrowFileWriter writer;

    FileWriting(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void accept(VectorSchemaRoot root) {
      try {
        if (writer == null) {
          writer = new ArrowFileWriter(root, null, channel);
          writer.start();
        }
        writer.writeBatch();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Writes the file's footer; an export of no batch still gets its schema. */
    void end() throws IOException {
      if (writer != null) {
        writer.end();
      }
    }

    /** Releases the writer (and with it the channel). */
    void close() {
      if (writer != null) {
        writer.close();
      }
    }
  }

  /** An IOException through a {@link Consumer}. */
  private static final class UncheckedIOException extends RuntimeException {
    UncheckedIOException(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }

  private static void set(FieldVector vector, ColumnType type, ResultSet rows, int column, int row)
      throws SQLException {
    switch (type) {
      case BIGINT -> {
        long value = rows.getLong(column);
        if (rows.wasNull()) {
          vector.setNull(row);
        } else {
          ((BigIntVector) vector).setSafe(row, value);
        }
      }
      case DOUBLE -> {
        double value = rows.getDouble(column);
        if (rows.wasNull()) {
          vector.setNull(row);
        } else {
          ((Float8Vector) vector).setSafe(row, value);
        }
      }
      case BOOLEAN -> {
        boolean value = rows.getBoolean(column);
        if (rows.wasNull()) {
          vector.setNull(row);
        } else {
          ((BitVector) vector).setSafe(row, value ? 1 : 0);
        }
      }
      case DECIMAL -> {
        BigDecimal value = rows.getBigDecimal(column);
        if (value == null) {
          vector.setNull(row);
        } else {
          ((DecimalVector) vector).setSafe(row, value.setScale(9, RoundingMode.UNNECESSARY));
        }
      }
      case DATE -> {
        LocalDate value = rows.getObject(column, LocalDate.class);
        if (value == null) {
          vector.setNull(row);
        } else {
          ((DateDayVector) vector).setSafe(row, Math.toIntExact(value.toEpochDay()));
        }
      }
      case TIMESTAMP_TZ -> {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        if (value == null) {
          vector.setNull(row);
        } else {
          ((TimeStampMicroTZVector) vector).setSafe(row, epochMicros(value.toInstant()));
        }
      }
      case TIMESTAMP -> {
        LocalDateTime value = rows.getObject(column, LocalDateTime.class);
        if (value == null) {
          vector.setNull(row);
        } else {
          ((TimeStampMicroVector) vector)
              .setSafe(row, epochMicros(value.toInstant(ZoneOffset.UTC)));
        }
      }
      case TIME -> {
        String value = rows.getString(column); // read as text: JDBC's TIME drops the fraction
        if (value == null) {
          vector.setNull(row);
        } else {
          ((TimeMicroVector) vector).setSafe(row, timeOfDay(value).toNanoOfDay() / 1_000);
        }
      }
      case TIME_TZ, VARCHAR, JSON -> {
        String value = rows.getString(column);
        if (value == null) {
          vector.setNull(row);
        } else {
          ((VarCharVector) vector).setSafe(row, value.getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  /** A time as the cache prints it; one with an offset becomes its time of day in UTC. */
  private static LocalTime timeOfDay(String text) {
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      return OffsetTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalTime();
    }
  }

  private static long epochMicros(Instant instant) {
    return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
  }
}
