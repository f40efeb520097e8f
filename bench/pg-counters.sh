#!/usr/bin/env bash
# Where PostgreSQL's work goes while a bench loads a node: reads PostgreSQL's own counters for the
# newest bench database (relay_bench_*) twice, WINDOW seconds apart, once the bench has run for
# DELAY seconds, and prints per table the rows inserted, updated (HOT ones apart), deleted and the
# bytes grown in the window, the WAL written, and the CPU of the node and of PostgreSQL.
# Start it, then the bench, on the same machine:
#   bench/pg-counters.sh & java -Dbench.db=postgres -cp bench/target/benchmarks.jar dev.relay.bench.IngestThroughput 60 8 100 100
set -euo pipefail
DELAY=${DELAY:-25}
WINDOW=${WINDOW:-20}
PSQL=(psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-postgres}" -X -At)

database=""
until [ -n "$database" ]; do
  database=$("${PSQL[@]}" -c "SELECT datname FROM pg_database WHERE datname LIKE 'relay_bench_%' ORDER BY datname DESC LIMIT 1")
  [ -n "$database" ] || sleep 0.5
done

cpu_ticks() { # user + system clock ticks of the processes given
  for pid in "$@"; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true; done | awk '{s += $1} END {print s + 0}'
}

snapshot() {
  "${PSQL[@]}" -d "$database" -F ' ' -c "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, pg_total_relation_size(relid)
      FROM pg_stat_user_tables ORDER BY relname"
  "${PSQL[@]}" -F ' ' -c "SELECT 'wal', wal_records, wal_bytes, 0, 0, 0 FROM pg_stat_wal"
  "${PSQL[@]}" -F ' ' -c "SELECT 'commits', xact_commit, 0, 0, 0, 0 FROM pg_stat_database WHERE datname = '$database'"
  echo "cpu-node $(cpu_ticks $(pgrep -f 'relay[^ ]*\.jar' || true)) 0 0 0 0"
  echo "cpu-postgres $(cpu_ticks $(pgrep -x postgres || true)) 0 0 0 0"
}

sleep "$DELAY"
before=$(snapshot)
start=$(date +%s.%N)
sleep "$WINDOW"
after=$(snapshot)
seconds=$(echo "$(date +%s.%N) - $start" | bc)

echo "database $database, ${seconds%????????} s window"
join <(echo "$before" | sort) <(echo "$after" | sort) | awk -v s="$seconds" -v hz="$(getconf CLK_TCK)" '
  $1 == "wal" { printf "WAL: %d records, %.1f MB\n", $7 - $2, ($8 - $3) / 1e6; next }
  $1 == "commits" { printf "commits: %d (%.0f/s)\n", $7 - $2, ($7 - $2) / s; next }
  $1 ~ /^cpu-/ { printf "%s: %.2f cores\n", $1, ($7 - $2) / hz / s; next }
  { printf "%-30s inserted %8d  updated %8d (HOT %d)  deleted %8d  grew %7.1f MB\n", $1, $7 - $2, $8 - $3, $9 - $4, $10 - $5, ($11 - $6) / 1e6 }'
