# Sourced by the bench scripts that run one server at a time on a free loopback port
# (bench/tls.sh, bench/recovery.sh, bench/msgpack.sh):
#   start_server <label> <log> <command…>  runs the command (its output to <log>) in the
#       background, the command's own --port 0 making it pick a port, and waits up to 15 s for its
#       "listening on port N" line; sets server_pid and port. Exits the script, with the log,
#       when the server dies or does not start.
#   stop_server  SIGTERM, then SIGKILL if it is still there 10 s later; reaps it. Safe to call
#       twice and from an EXIT trap.
server_pid=
port=

stop_server() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}

start_server() {
  local label=$1 log=$2
  shift 2
  : >"$log"  # there before the first look, however late the server writes it
  "$@" >"$log" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 300); do
    port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$log")
    [[ -n $port ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "$label: the server exited: $*" >&2; cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  echo "$label: the server did not start within 15 s: $*" >&2
  cat "$log" >&2
  exit 1
}
