package io.akb.bridge.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.akb.runtime.topic.RecordValueDecoder;
import io.akb.runtime.topic.RegistrySchemas;
import io.akb.runtime.topic.SchemaTopicReader;
import io.akb.runtime.topic.StateEvent;
import java.io.IOException;
import java.time.Duration;

/**
 * The record values one target reads, as JSON, in any of the topic contract's value forms ({@link
 * RecordValueDecoder}); Avro writer schemas come from the schemas topics of the target's sources
 * ({@link TargetSettings#schemasTopics}), read only once an Avro value arrives, those of
 * registry-framed values from the target's schema registry ({@link
 * TargetSettings#schemaRegistryUrl}). Closed with the target's writer; used on its replay thread
 * only.
 */
final class RecordValues implements AutoCloseable {
  /** How long an unknown schema is waited for: its record may have overtaken it. */
  static final Duration SCHEMA_WAIT = Duration.ofSeconds(10);

  private final SchemaTopicReader schemas;
  private final RecordValueDecoder decoder;

  RecordValues(TargetSettings settings) {
    this.schemas = new SchemaTopicReader(settings.kafka(), settings.schemasTopics(), SCHEMA_WAIT);
    this.decoder =
        new RecordValueDecoder(
            schemas,
            new RegistrySchemas(settings.schemaRegistryUrl(), settings.schemaRegistrySetting()));
  }

  /**
   * A state-topic value as its event, read as record values are (JSON, or framed by the schema
   * registry); null when it is no event.
   *
   * @throws io.akb.runtime.AkbException when it is registry-framed and the registry cannot give its
   *     schema
   */
  StateEvent event(byte[] value) {
    return decoder.decodeEvent(value);
  }

  /**
   * A value's JSON data.
   *
   * @throws IOException when it is neither JSON nor readable Avro
   * @throws io.akb.runtime.AkbException when it is Avro of a schema the schemas topics lack
   */
  JsonNode decode(byte[] value) throws IOException {
    return decoder.decode(value);
  }

  @Override
  public void close() {
    schemas.close();
  }
}
