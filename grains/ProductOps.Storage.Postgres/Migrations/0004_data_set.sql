-- Version 4: what the data set keeps about itself.
--
-- data_set  settings fixed for the life of the data set, one row each: 'partitions', the event
--           log's partition count. The first silo to start on the database records its own;
--           every later silo and gateway refuses to start with another.

CREATE TABLE data_set (
    name        text PRIMARY KEY,
    value       bigint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
