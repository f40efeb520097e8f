-- Relay's schema on the embedded H2. Run at every start; every statement is idempotent.

-- pekko-persistence-jdbc 1.1.1 journal and snapshots (its h2-create-schema.sql, made idempotent),
-- with the payloads VARBINARY where it has BLOB: H2 keeps a BLOB of over 256 bytes in its LOB store,
-- three maps of its own written besides the row: two fifths of the file's live pages under load,
-- left out of a table's size, and slower to write (bench/README, EmbeddedDiskUsage). A file made with
-- BLOBs is converted at the node's first start on it (Database.payloadsInTheirRows).
CREATE TABLE IF NOT EXISTS PUBLIC."event_journal" (
  "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
  "deleted" BOOLEAN DEFAULT false NOT NULL,
  "persistence_id" VARCHAR(255) NOT NULL,
  "sequence_number" BIGINT NOT NULL,
  "writer" VARCHAR NOT NULL,
  "write_timestamp" BIGINT NOT NULL,
  "adapter_manifest" VARCHAR NOT NULL,
  "event_payload" VARBINARY NOT NULL,
  "event_ser_id" INTEGER NOT NULL,
  "event_ser_manifest" VARCHAR NOT NULL,
  "meta_payload" VARBINARY,
  "meta_ser_id" INTEGER,
  "meta_ser_manifest" VARCHAR,
  PRIMARY KEY ("persistence_id", "sequence_number")
);
CREATE UNIQUE INDEX IF NOT EXISTS "event_journal_ordering_idx" ON PUBLIC."event_journal" ("ordering");

CREATE TABLE IF NOT EXISTS PUBLIC."event_tag" (
  "event_id" BIGINT NOT NULL,
  "tag" VARCHAR NOT NULL,
  PRIMARY KEY ("event_id", "tag"),
  CONSTRAINT fk_event_journal FOREIGN KEY ("event_id") REFERENCES "event_journal" ("ordering") ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS "event_tag_tag_idx" ON PUBLIC."event_tag" ("tag", "event_id");

CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
  "persistence_id" VARCHAR(255) NOT NULL,
  "sequence_number" BIGINT NOT NULL,
  "created" BIGINT NOT NULL,
  "snapshot_ser_id" INTEGER NOT NULL,
  "snapshot_ser_manifest" VARCHAR NOT NULL,
  "snapshot_payload" VARBINARY NOT NULL,
  "meta_ser_id" INTEGER,
  "meta_ser_manifest" VARCHAR,
  "meta_payload" VARBINARY,
  PRIMARY KEY ("persistence_id", "sequence_number")
);

-- A destination's pending actions (waiting for their first attempt or a retry), one row each, written
-- in the journal's transaction from its events (dev.relay.destination.PendingTable). The action's
-- event stays in the journal event that queued it ("sequence_number"); times in epoch microseconds.
CREATE TABLE IF NOT EXISTS "relay_pending" (
  "destination_id" VARCHAR(255) NOT NULL,
  "item_id" VARCHAR(255) NOT NULL,
  "action_id" VARCHAR(255) NOT NULL,
  "attempts" INTEGER NOT NULL,
  "queued_at" BIGINT NOT NULL,
  "due_at" BIGINT NOT NULL,
  "sequence_number" BIGINT NOT NULL,
  PRIMARY KEY ("destination_id", "item_id")
);
CREATE INDEX IF NOT EXISTS "relay_pending_due_idx" ON "relay_pending" ("destination_id", "due_at", "item_id");
-- The hash of the request body journaled with the action's latest attempt (NULL before its first):
-- a retry with the same body journals none (AttemptRecorded.bodyAsBefore). Added in place.
ALTER TABLE "relay_pending" ADD COLUMN IF NOT EXISTS "body_hash" VARCHAR(32);

-- pekko-projection-jdbc 1.0.0 offsets (lowercase schema, hence quoted on H2).
CREATE TABLE IF NOT EXISTS "pekko_projection_offset_store" (
  "projection_name" VARCHAR(255) NOT NULL,
  "projection_key" VARCHAR(255) NOT NULL,
  "current_offset" VARCHAR(255) NOT NULL,
  "manifest" VARCHAR(32) NOT NULL,
  "mergeable" BOOLEAN NOT NULL,
  "last_updated" BIGINT NOT NULL,
  PRIMARY KEY ("projection_name", "projection_key")
);
CREATE INDEX IF NOT EXISTS "projection_name_index" ON "pekko_projection_offset_store" ("projection_name");

CREATE TABLE IF NOT EXISTS "pekko_projection_management" (
  "projection_name" VARCHAR(255) NOT NULL,
  "projection_key" VARCHAR(255) NOT NULL,
  "paused" BOOLEAN NOT NULL,
  "last_updated" BIGINT NOT NULL,
  PRIMARY KEY ("projection_name", "projection_key")
);
