-- Relay's read-side schema, the same on H2 and PostgreSQL (VARCHAR without a length is unbounded
-- on both). Run at every start right after the database's own script, in the same transaction.

-- Read side (dev.relay.readside): query tables the journal projection keeps. They hold nothing the
-- event journal does not: POST /api/read-side/rebuild empties them and replays the journal.
-- Times are epoch milliseconds (UTC), which both databases compare and index the same way.

-- One row per action: an event that matched one of a destination's actions, as it was queued. It
-- never changes after its insert: what does is in journal_item_state.
CREATE TABLE IF NOT EXISTS journal_item (
  item_id VARCHAR(64) NOT NULL PRIMARY KEY,
  destination_id VARCHAR(64) NOT NULL,
  -- journal ordering of the ActionQueued event: the tie-breaker of "newest first"
  seq BIGINT NOT NULL,
  action_id VARCHAR(64) NOT NULL,
  action_name VARCHAR(255) NOT NULL,
  source_id VARCHAR(64),
  message_id VARCHAR(255) NOT NULL,
  event_type VARCHAR(32),
  event_name VARCHAR(255),
  user_id VARCHAR(255),
  queued_at BIGINT NOT NULL,
  is_test BOOLEAN NOT NULL,
  event_json VARCHAR NOT NULL
);
-- A replay (POST .../retry or .../redrive) is a new row: replay_of names the action it replays.
-- NULL on rows projected before it existed.
ALTER TABLE journal_item ADD COLUMN IF NOT EXISTS replay_of VARCHAR(64);
-- Newest first, per destination, optionally within a time range: one index per filter. Queries
-- order by every column of the index they use (DESC), so H2 reads it backwards and stops at the limit.
CREATE INDEX IF NOT EXISTS journal_item_by_time ON journal_item (destination_id, queued_at, seq);
CREATE INDEX IF NOT EXISTS journal_item_by_type ON journal_item (destination_id, event_type, queued_at, seq);
CREATE INDEX IF NOT EXISTS journal_item_by_event ON journal_item (destination_id, event_name, queued_at, seq);
CREATE INDEX IF NOT EXISTS journal_item_by_user ON journal_item (destination_id, user_id, queued_at, seq);
CREATE INDEX IF NOT EXISTS journal_item_by_message ON journal_item (destination_id, message_id, queued_at, seq);

-- Where each action of journal_item stands: one row per action, written with it and updated at each
-- attempt. Apart from journal_item so that an update writes this short row and its two indexes, not
-- the action's event and six indexes again (PostgreSQL cannot update a row in place once an indexed
-- column changes). destination_id, queued_at, seq and is_test are copies of journal_item's, for the
-- status filter's index and for retention.
CREATE TABLE IF NOT EXISTS journal_item_state (
  item_id VARCHAR(64) NOT NULL PRIMARY KEY,
  destination_id VARCHAR(64) NOT NULL,
  queued_at BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  is_test BOOLEAN NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  last_status INT,
  last_error VARCHAR(1000),
  last_attempt_at BIGINT,
  next_attempt_at BIGINT,
  -- the latest replay of this action, if any
  replayed_as VARCHAR(64)
);
CREATE INDEX IF NOT EXISTS journal_item_state_by_status ON journal_item_state (destination_id, status, queued_at, seq);

-- Destinations the journal knows (created, and when deleted): the journal API answers 404 for
-- unknown ones from here, without waiting on a destination's entity that may be busy.
CREATE TABLE IF NOT EXISTS journal_destination (
  destination_id VARCHAR(64) NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL,
  deleted_at BIGINT
);
-- Its configuration as last journaled (JSON; secrets as journaled, masked when shown): the list of
-- destinations is served from here. NULL on rows projected before the column existed, until a rebuild.
ALTER TABLE journal_destination ADD COLUMN IF NOT EXISTS config_json VARCHAR;

-- One row per request to a destination; a batch request carries several actions.
CREATE TABLE IF NOT EXISTS journal_attempt (
  -- journal ordering of the AttemptRecorded event
  attempt_id BIGINT NOT NULL PRIMARY KEY,
  destination_id VARCHAR(64) NOT NULL,
  action_id VARCHAR(64) NOT NULL,
  started_at BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  request_method VARCHAR(16) NOT NULL,
  request_url VARCHAR(4096) NOT NULL,
  request_headers VARCHAR NOT NULL,
  request_body VARCHAR NOT NULL,
  response_status INT,
  response_body VARCHAR,
  error VARCHAR(4000),
  items INT NOT NULL
);

-- What one request meant for each action it carried.
CREATE TABLE IF NOT EXISTS journal_attempt_item (
  item_id VARCHAR(64) NOT NULL,
  attempt_id BIGINT NOT NULL,
  attempt INT NOT NULL,
  outcome VARCHAR(16) NOT NULL,
  next_attempt_at BIGINT,
  PRIMARY KEY (item_id, attempt_id)
);

-- Per destination and minute: actions queued, delivered, failed, retried, discarded (no test traffic).
CREATE TABLE IF NOT EXISTS journal_minute (
  destination_id VARCHAR(64) NOT NULL,
  minute_start BIGINT NOT NULL,
  queued BIGINT NOT NULL,
  delivered BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  retried BIGINT NOT NULL,
  discarded BIGINT NOT NULL,
  PRIMARY KEY (destination_id, minute_start)
);
-- Requests the destination answered 429 (too many requests) that minute: when it was throttled.
ALTER TABLE journal_minute ADD COLUMN IF NOT EXISTS throttled BIGINT DEFAULT 0 NOT NULL;

-- Per destination and minute: delivered requests by duration bucket (see LatencyBuckets).
CREATE TABLE IF NOT EXISTS journal_latency (
  destination_id VARCHAR(64) NOT NULL,
  minute_start BIGINT NOT NULL,
  bucket INT NOT NULL,
  requests BIGINT NOT NULL,
  PRIMARY KEY (destination_id, minute_start, bucket)
);
