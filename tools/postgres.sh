#!/usr/bin/env bash
# Makes a local PostgreSQL ready for tests and the loopback cluster, idempotently (Debian, root):
# installs the server if missing, starts the 15/main cluster, creates the productops role and
# database. Prints the connection string on stdout. The password is a DEV-ONLY default for this
# local database; set PRODUCTOPS_PG_PASSWORD to use another.
set -euo pipefail

password=${PRODUCTOPS_PG_PASSWORD:-productops-dev}
database=${PRODUCTOPS_PG_DATABASE:-productops}

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /usr/lib/postgresql/15 ]; then
  echo "installing PostgreSQL" >&2
  apt-get update >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
fi

if [ ! -d /etc/postgresql/15/main ]; then
  pg_createcluster 15 main >&2
fi

if ! pg_lsclusters -h | awk '$1 == "15" && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
  pg_ctlcluster 15 main start >&2
fi

for _ in $(seq 1 30); do
  if su postgres -c "pg_isready -q -h /var/run/postgresql -p 5432"; then
    break
  fi
  sleep 1
done

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -h /var/run/postgresql -p 5432 $*"; }

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'productops'\"")" != "1" ]; then
  psql_admin "-c \"CREATE ROLE productops LOGIN CREATEDB PASSWORD '$password'\"" >&2
else
  psql_admin "-c \"ALTER ROLE productops LOGIN CREATEDB PASSWORD '$password'\"" >&2
fi

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$database'\"")" != "1" ]; then
  su postgres -c "createdb -h /var/run/postgresql -p 5432 -O productops $database" >&2
fi

echo "Host=127.0.0.1;Port=5432;Username=productops;Password=$password;Database=$database"
