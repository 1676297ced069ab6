-- Version 3: the churn model registry, shared by every silo (it was a SQLite file per silo).
--
-- churn_model        every trained model of a tenant: version 1, 2, 3... per tenant; info is the
--                    model's description and holdout metrics (JSON), model the ML.NET zip.
-- churn_active_model which version serves the tenant's scores; any stored version may be made
--                    active (a rollback), hence a row of its own rather than a flag per model.

CREATE TABLE churn_model (
    tenant        text NOT NULL,
    version       integer NOT NULL,
    created_at_ms bigint NOT NULL,
    info          jsonb NOT NULL,
    model         bytea NOT NULL,
    PRIMARY KEY (tenant, version)
);

CREATE TABLE churn_active_model (
    tenant  text PRIMARY KEY,
    version integer NOT NULL,
    FOREIGN KEY (tenant, version) REFERENCES churn_model (tenant, version)
);
