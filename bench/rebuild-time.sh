#!/usr/bin/env bash
# How fast the read side projects a journal, alone: starts a node on a kept bench database, rebuilds
# the read side ROUNDS times (POST /api/read-side/rebuild empties the query tables and projects the
# whole journal again) and prints, per round, the time until every tag's offset reached the end of
# the journal, the CPU of the node and of PostgreSQL, the updates of actions' rows and the WAL written.
# The first round runs in a cold node; the later ones are the figure.
#
# A database to rebuild: any load bench run with -Dbench.keep-db=true, e.g.
#   java -Dbench.keep-db=true -cp bench/target/benchmarks.jar dev.relay.bench.Throughput --seconds=20
# then:
#   bench/rebuild-time.sh relay_bench_<n> target/relay.jar 3
# NODE_OPTS adds JVM options or -Dkey=value settings for the node. Drop the database when done.
set -euo pipefail
database=$1
jar=$2
rounds=${3:-3}
PSQL=(psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -X -At -d "$database")
TOKEN=bench-rebuild-token-0123456789abcdef

RELAY_DB_URL="jdbc:postgresql://${PGHOST:-127.0.0.1}:5432/$database" RELAY_DB_USER="${PGUSER:-postgres}" \
  RELAY_ADMIN_TOKEN=$TOKEN RELAY_HTTP_PORT=18080 RELAY_MANAGEMENT_PORT=18558 RELAY_REMOTE_PORT=18552 \
  RELAY_LOG_LEVEL=WARN java -Xmx2g ${NODE_OPTS:-} -jar "$jar" > target/rebuild-node.log 2>&1 &
node=$!
trap 'kill $node 2>/dev/null && wait $node || true' EXIT
until curl -sf localhost:18558/ready > /dev/null; do
  kill -0 $node 2>/dev/null || { echo "the node exited; see target/rebuild-node.log"; exit 1; }
  sleep 0.5
done

end=$("${PSQL[@]}" -c "SELECT max(event_id) FROM event_tag WHERE tag LIKE 'dest-%'")
projected() { # the lowest offset of the action log's projection instances
  "${PSQL[@]}" -c "SELECT coalesce(min(current_offset::bigint), 0) FROM pekko_projection_offset_store WHERE projection_key LIKE 'dest-%'"
}
ticks() { for pid in "$@"; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'; }
# an action's row updated: journal_item_state's since it exists, journal_item's before (both summed)
updates() { "${PSQL[@]}" -c "SELECT coalesce(sum(n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname IN ('journal_item', 'journal_item_state')"; }
wal() { "${PSQL[@]}" -c "SELECT wal_bytes FROM pg_stat_wal"; }
hz=$(getconf CLK_TCK)

for round in $(seq 1 "$rounds"); do
  until [ "$(projected)" -ge "$end" ]; do sleep 0.5; done
  u0=$(updates); w0=$(wal); n0=$(ticks $node); p0=$(ticks $(pgrep -x postgres)); t0=$(date +%s.%N)
  curl -sf -X POST -H "Authorization: Bearer $TOKEN" localhost:18080/api/read-side/rebuild > /dev/null
  sleep 0.5
  until [ "$(projected)" -ge "$end" ]; do sleep 0.2; done
  t1=$(date +%s.%N); n1=$(ticks $node); p1=$(ticks $(pgrep -x postgres)); u1=$(updates); w1=$(wal)
  actions=$("${PSQL[@]}" -c "SELECT count(*) FROM journal_item")
  printf 'round %d: %.1f s for %d actions; CPU node %.1f s, PostgreSQL %.1f s; action row updates %d; WAL %d MB\n' \
    "$round" "$(echo "$t1 - $t0" | bc)" "$actions" "$(echo "($n1 - $n0) / $hz" | bc -l)" \
    "$(echo "($p1 - $p0) / $hz" | bc -l)" "$((u1 - u0))" "$(( (w1 - w0) / 1048576 ))"
done
