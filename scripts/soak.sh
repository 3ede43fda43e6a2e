#!/usr/bin/env bash
# The soak (docs/BENCHMARKS.md "Soak"): a release chorus under chorus-bench churn — connections
# coming and going while rooms are broadcast to — with the server's VmRSS sampled every 10 s.
#   scripts/soak.sh [BIN_DIR]    chorus and chorus-bench from BIN_DIR (default build/release/bin)
#   SOAK_SECONDS=N               seconds of churn (default 330)
#   SOAK_DB=PATH                 chorus --db (default :memory:)
# Writes build/soak/{rss.txt,churn.json,churn.html,server.log}; exits with chorus-bench's status.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/bin}
out=build/soak
mkdir -p "$out"
"$bin/chorus" --port 0 --threads 2 --rate-limit 0 --db "${SOAK_DB:-:memory:}" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$out/server.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "chorus did not start" >&2; exit 1; }
echo "# seconds VmRSS_kB (chorus pid $pid, port $port)" >"$out/rss.txt"
(t=0; while kill -0 "$pid" 2>/dev/null; do
  echo "$t $(awk '/VmRSS/{print $2}' "/proc/$pid/status")" >>"$out/rss.txt"; sleep 10; t=$((t + 10))
done) &
status=0
"$bin/chorus-bench" churn --port "$port" --rooms 10 --subscribers 100 --publishers 10 --rate 200 \
  --churners 200 --lifetime 0.2 --duration "${SOAK_SECONDS:-330}" --polling-share 0.2 \
  --workers 2 --source-ips 4 --server-pid "$pid" --html "$out/churn.html" --json --no-progress \
  >"$out/churn.json" || status=$?
sleep 20  # idle once everyone has left: what the server keeps
cat "$out/rss.txt"
exit $status
