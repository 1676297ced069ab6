-- Version 1: what Orleans' ADO.NET providers need (invariant "Npgsql"): membership, grain state,
-- and the OrleansQuery rows they load at start. The queries are ours; the providers only fix the
-- query keys, the parameter names and the result column names.

CREATE TABLE OrleansQuery (
    QueryKey  varchar(64) PRIMARY KEY,
    QueryText text NOT NULL
);

-- Membership: one version row per cluster (deployment) id; every membership change bumps it, so
-- a silo that read an old table version cannot overwrite a newer view (optimistic concurrency).
CREATE TABLE orleans_membership_version (
    deployment_id text PRIMARY KEY,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 0
);

CREATE TABLE orleans_membership (
    deployment_id   text NOT NULL,
    address         text NOT NULL,
    port            integer NOT NULL,
    generation      integer NOT NULL,
    silo_name       text NOT NULL,
    host_name       text NOT NULL,
    status          integer NOT NULL,
    proxy_port      integer NOT NULL DEFAULT 0,
    suspect_times   text NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Grain state: exactly one unique key, on the grain's identity. There is no second row a stale
-- insert could create, so a grain can never become unwritable through duplicates. The string key
-- extension is '' rather than NULL so the key is a plain primary key.
CREATE TABLE orleans_grain_state (
    service_id         text NOT NULL,
    grain_type         text NOT NULL,
    grain_id_n0        bigint NOT NULL,
    grain_id_n1        bigint NOT NULL,
    grain_id_extension text NOT NULL DEFAULT '',
    version            integer NOT NULL,
    payload            bytea NULL,
    modified_on        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('GatewaysQueryKey', '
SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0'),

-- The version row always comes back (LEFT JOIN), also when the silo row does not exist.
('MembershipReadRowKey', '
SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
       m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
       v.version AS Version
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
  ON m.deployment_id = v.deployment_id
 AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId'),

('MembershipReadAllKey', '
SELECT v.deployment_id AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
       m.silo_name AS SiloName, m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort,
       m.suspect_times AS SuspectTimes, m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime,
       v.version AS Version
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId'),

('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM inserted)'),

-- Heartbeats change no version: they are liveness, not membership.
('UpdateIAmAlivetimeKey', '
UPDATE orleans_membership SET i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation'),

-- Insert only when the table version is the one the silo read and the row is new; the version
-- bump and the insert are one statement, so either both happen or neither.
('InsertMembershipKey', '
WITH bumped AS (
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
      AND NOT EXISTS (SELECT 1 FROM orleans_membership
                      WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id),
inserted AS (
    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
           COALESCE(CAST(@ProxyPort AS integer), 0), CAST(@StartTime AS timestamptz), CAST(@IAmAliveTime AS timestamptz)
    FROM bumped
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM inserted)'),

('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE orleans_membership_version SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
      AND EXISTS (SELECT 1 FROM orleans_membership
                  WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id),
updated AS (
    UPDATE orleans_membership m
    SET status = @Status, suspect_times = CAST(@SuspectTimes AS text), i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
    FROM bumped
    WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM updated)'),

('DeleteMembershipTableEntriesKey', '
WITH members AS (DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId)
DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId'),

-- Status 6 = Dead.
('CleanupDefunctSiloEntriesKey', '
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = 6
  AND i_am_alive_time < CAST(@IAmAliveTime AS timestamptz) AND start_time < CAST(@IAmAliveTime AS timestamptz)'),

('CleanupDefunctSiloEntryKey', '
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = 6
  AND address = @Address AND port = @Port AND generation = @Generation
  AND i_am_alive_time = CAST(@IAmAliveTime AS timestamptz) AND start_time = CAST(@StartTime AS timestamptz)
  AND suspect_times IS NOT DISTINCT FROM CAST(@SuspectTimes AS text)'),

('ReadFromStorageKey', '
SELECT payload AS PayloadBinary, version AS Version
FROM orleans_grain_state
WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
  AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS text), '''')'),

-- First write (no version yet): insert version 1, or nothing when another activation got there
-- first. Later writes: update only the version the grain read. Exactly one row comes back; when
-- nothing was written it carries the version the grain sent, which the provider reports as a
-- conflict (InconsistentStateException).
('WriteToStorageKey', '
WITH inserted AS (
    INSERT INTO orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, version, payload)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(CAST(@GrainIdExtensionString AS text), ''''), 1, @PayloadBinary
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version),
updated AS (
    UPDATE orleans_grain_state SET version = version + 1, payload = @PayloadBinary, modified_on = now()
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS text), '''')
      AND version = CAST(@GrainStateVersion AS integer)
    RETURNING version)
SELECT COALESCE((SELECT version FROM inserted), (SELECT version FROM updated), CAST(@GrainStateVersion AS integer)) AS NewGrainStateVersion'),

-- Clearing keeps the row (payload NULL, version + 1) so the version sequence never restarts.
('ClearStorageKey', '
WITH inserted AS (
    INSERT INTO orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, version, payload)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, COALESCE(CAST(@GrainIdExtensionString AS text), ''''), 1, NULL
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version),
updated AS (
    UPDATE orleans_grain_state SET version = version + 1, payload = NULL, modified_on = now()
    WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = COALESCE(CAST(@GrainIdExtensionString AS text), '''')
      AND version = CAST(@GrainStateVersion AS integer)
    RETURNING version)
SELECT COALESCE((SELECT version FROM inserted), (SELECT version FROM updated), CAST(@GrainStateVersion AS integer)) AS NewGrainStateVersion');
