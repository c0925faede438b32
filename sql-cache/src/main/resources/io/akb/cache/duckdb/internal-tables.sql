-- Internal tables of a DuckDB cache. ${schema} is the quoted schema.
-- _airbyte_streams and _airbyte_state follow PyAirbyte's layout so PyAirbyte reads them.
CREATE TABLE IF NOT EXISTS ${schema}."_airbyte_streams" (stream_name VARCHAR, source_name VARCHAR, table_name VARCHAR, catalog_metadata VARCHAR);
CREATE TABLE IF NOT EXISTS ${schema}."_airbyte_state" (source_name VARCHAR, stream_name VARCHAR, table_name VARCHAR, state_json VARCHAR, last_updated TIMESTAMP WITH TIME ZONE);
CREATE TABLE IF NOT EXISTS ${schema}."_akb_offsets" (target VARCHAR, topic_partition VARCHAR, next_offset BIGINT, applied_per_sync VARCHAR, updated_at TIMESTAMP WITH TIME ZONE);
CREATE TABLE IF NOT EXISTS ${schema}."_akb_streams" (stream_name VARCHAR, source_name VARCHAR, table_name VARCHAR, layout VARCHAR);
-- Per destination, the position in each stream up to which it confirmed a write from this cache.
CREATE TABLE IF NOT EXISTS ${schema}."_akb_destination_positions" (destination VARCHAR, stream_name VARCHAR, state_json VARCHAR, updated_at TIMESTAMP WITH TIME ZONE);
-- Per target, the newest claim: a bridge process that opens a target takes a new epoch, and every
-- transaction of an older claimer fails (it was fenced), so two processes never both write.
CREATE TABLE IF NOT EXISTS ${schema}."_akb_target_claims" (target VARCHAR PRIMARY KEY, epoch BIGINT NOT NULL, holder VARCHAR, claimed_at TIMESTAMP WITH TIME ZONE);
-- Records a target found gone from Kafka and skipped (on-gap=skip), so the cache itself says what it lacks.
CREATE TABLE IF NOT EXISTS ${schema}."_akb_gaps" (target VARCHAR, topic_partition VARCHAR, from_offset BIGINT, resume_at BIGINT, records_lost BIGINT, description VARCHAR, found_at TIMESTAMP WITH TIME ZONE);
