package io.akb.cache;

import java.time.Instant;

/**
 * Records a target found gone from Kafka and skipped ({@code on-gap=skip}), as its cache keeps them
 * in {@code _akb_gaps}: {@code topicPartition} from {@code fromOffset} up to {@code resumeAt},
 * {@code recordsLost} records (-1 when unknown: a topic deleted and recreated).
 */
public record SkippedRecords(
    String topicPartition,
    long fromOffset,
    long resumeAt,
    long recordsLost,
    String description,
    Instant foundAt) {}
