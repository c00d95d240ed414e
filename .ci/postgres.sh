# Sourced by .ci/run (and usable by hand): start a throw-away PostgreSQL on loopback and
# export PG_URL. The server runs as the `postgres` user that Debian's package creates.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PG_PORT=${PG_PORT:-54329}
PG_DIR=$(mktemp -d /tmp/ews-pg.XXXXXX)
chown postgres "$PG_DIR"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U ews >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U ews ews
export PG_URL="postgresql+psycopg://ews@127.0.0.1:$PG_PORT/ews"
trap 'runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null' EXIT
