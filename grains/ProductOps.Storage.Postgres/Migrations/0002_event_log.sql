-- Version 2: the event log.
--
-- event_log   the events, range-partitioned by commit day, so retention drops whole day
--             partitions (DROP TABLE: no delete, no vacuum, no rewrite). The primary key
--             (log_partition, seq, committed_at) serves reads in seq order.
-- event_dedup the dedup keys (tenant, user_id, event_id), one row per logged event, kept for the
--             dedup window and pruned by commit time (a BRIN index makes that scan cheap). A
--             partitioned table cannot hold a unique key across days, hence a table of its own.
-- log_head    the committed head of each log partition: the writer's fence. A commit locks the
--             row, checks the head it expects and moves it, in the same transaction as the rows.
--             It also survives retention dropping every row of a partition.

CREATE TABLE log_head (
    log_partition integer PRIMARY KEY,
    head          bigint NOT NULL
);

CREATE TABLE event_log (
    log_partition integer NOT NULL,
    seq           bigint NOT NULL,
    committed_at  timestamptz NOT NULL,
    tenant        text NOT NULL,
    user_id       text NOT NULL,
    event_id      text NOT NULL,
    name          text NOT NULL,
    feature       text NOT NULL,
    ts            bigint NOT NULL,
    value         double precision NOT NULL,
    session_id    text NOT NULL,
    properties    jsonb NULL,
    PRIMARY KEY (log_partition, seq, committed_at)
) PARTITION BY RANGE (committed_at);

-- Recovery of one user grain: its rows after its snapshot's seq.
CREATE INDEX event_log_user ON event_log (tenant, user_id, seq);

-- Catches a commit on a day whose partition maintenance has not created yet; normally empty.
CREATE TABLE event_log_default PARTITION OF event_log DEFAULT;

CREATE TABLE event_dedup (
    tenant       text NOT NULL,
    user_id      text NOT NULL,
    event_id     text NOT NULL,
    committed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, user_id, event_id)
);

CREATE INDEX event_dedup_committed ON event_dedup USING brin (committed_at);
