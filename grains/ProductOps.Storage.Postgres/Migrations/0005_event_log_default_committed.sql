-- Version 5: an index on the commit time of the event log's DEFAULT partition.
--
-- Retention deletes from the DEFAULT partition the rows of days past it (days whose commits
-- landed there before their partition existed: a new database's first day, a late maintenance),
-- oldest first, a batch per transaction. Without an index each run scans the whole partition to
-- learn that nothing has expired (2M rows: ~260 ms and 30,000 pages read, every run), and the
-- planner picks a scan in storage order for a large backlog. Only the DEFAULT partition has it:
-- day partitions are dropped whole, and rows land in the DEFAULT one only while maintenance is
-- behind, so commits to day partitions never maintain it.

CREATE INDEX event_log_default_committed ON event_log_default (committed_at);
