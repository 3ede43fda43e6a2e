#!/usr/bin/env bash
# What one Redis costs per cluster message, for the on-paper sizing in docs/BENCHMARKS.md: Redis's
# own CPU (utime+stime from /proc) per published message while `subs` clients receive it, in the
# two ways the adapters subscribe:
#   classic  PUBLISH "socket.io#/#" with every node PSUBSCRIBEd to "socket.io#/#*" (the classic
#            adapter: every node receives every broadcast of the namespace);
#   sharded  SPUBLISH "socket.io#/#room#" with only the nodes that have the room SSUBSCRIBEd
#            (the sharded adapter's dynamic room channels).
# The subscribers are redis-cli processes writing to /dev/null (they stand in for the nodes'
# subscriber links); the publisher is redis-benchmark, pipelined (-P 16, as a node's link
# pipelines its publishes). Each case gets a fresh redis-server with persistence off and no
# output-buffer limit for subscribers, and is measured once every subscriber's output buffer has
# drained, so the figure includes the fan-out writes. Bounded: MESSAGES per case, a 60 s drain
# limit. Not for CI: the figures need a quiet machine.
#   bash bench/redis-capacity.sh
# Environment: MESSAGES (default 200000), PAYLOAD bytes per message (default 170: a 100-byte chat
# message as a node publishes it), SUBS subscriber counts (default "0 1 4 16 64"), MODES (default
# "classic sharded").
set -euo pipefail
messages=${MESSAGES:-200000}
payload_bytes=${PAYLOAD:-170}
subs_list=${SUBS:-0 1 4 16 64}
modes=${MODES:-classic sharded}
hz=$(getconf CLK_TCK)
payload=$(head -c "$payload_bytes" /dev/zero | tr '\0' 'x')

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
cpu_ticks() {  # utime + stime of a process, in clock ticks
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

printf '| mode | subscribers | messages | Redis CPU per message (µs) | messages/s one Redis core could carry |\n'
printf '| --- | --- | --- | --- | --- |\n'
for mode in $modes; do
  for subs in $subs_list; do
    port=$(free_port)
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
      --client-output-buffer-limit "pubsub 0 0 0" >"$work/redis.log" 2>&1 &
    redis_pid=$!
    pids+=("$redis_pid")
    redis() { redis-cli -p "$port" "$@"; }
    for _ in $(seq 100); do [[ $(redis ping 2>/dev/null) == PONG ]] && break; sleep 0.05; done
    sub_pids=()
    for _ in $(seq "$subs"); do
      if [[ $mode == classic ]]; then
        redis-cli -p "$port" psubscribe 'socket.io#/#*' >/dev/null &
      else
        redis-cli -p "$port" ssubscribe 'socket.io#/#room#' >/dev/null &
      fi
      sub_pids+=($!)
      pids+=($!)
    done
    for _ in $(seq 200); do
      n=$(redis client list | grep -c -E ' (psub|ssub)=[1-9]' || true)
      ((n >= subs)) && break
      sleep 0.05
    done
    if [[ $mode == classic ]]; then command=(PUBLISH 'socket.io#/#'); else command=(SPUBLISH 'socket.io#/#room#'); fi
    before=$(cpu_ticks "$redis_pid")
    redis-benchmark -p "$port" -n "$messages" -c 20 -P 16 -q "${command[@]}" "$payload" >/dev/null
    # The fan-out writes happen as the subscribers read: wait until no output is left queued.
    for _ in $(seq 600); do
      left=$(redis client list | sed -n 's/.* omem=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
      ((left == 0)) && break
      sleep 0.1
    done
    after=$(cpu_ticks "$redis_pid")
    awk -v t=$((after - before)) -v hz="$hz" -v n="$messages" -v mode="$mode" -v subs="$subs" \
      'BEGIN { us = t * 1e6 / hz / n; printf "| %s | %d | %d | %.2f | %.0f |\n", mode, subs, n, us, (us > 0 ? 1e6 / us : 0) }'
    for pid in "${sub_pids[@]}" "$redis_pid"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  done
done
