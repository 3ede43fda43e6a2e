#!/usr/bin/env bash
# The include direction between the layers (ctest `layers`): protocol → rooms → the transports →
# Engine.IO → Socket.IO → chat → main. Each rule names files and what they may, or may not,
# include of this repository's headers; any other include of ours fails the check with the file,
# the line and the rule. What no rule names is the composition on top (the server, the cluster
# adapters, the operator endpoints, configuration, the applications). ctest `link_layers`
# (scripts/check-link-layers.sh) checks the same direction between the CMake targets' symbols.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
# check <rule> <allowed-regex> <files...>: every `#include "…"` in the files matches the regex.
check() {
  local rule=$1 allowed=$2
  shift 2
  local file line target
  for file in "$@"; do
    [[ -f $file ]] || { echo "layers: $rule names $file, which does not exist" >&2; failed=1; continue; }
    while IFS=: read -r line target; do
      if ! [[ $target =~ $allowed ]]; then
        echo "$file:$line: includes \"$target\" ($rule)" >&2
        failed=1
      fi
    done < <(grep -n '^#include "' "$file" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
  done
}

# The codecs: no I/O, nothing but themselves.
check "protocol/ includes only protocol/" '^protocol/' protocol/*/*.hpp protocol/*/*.cpp
check "rooms/ includes only rooms/ and protocol/" '^(rooms|protocol)/' rooms/*.hpp rooms/*.cpp

# The transports and what they stand on (the CMake target chorus_transport, server/CMakeLists.txt).
base='server/(asio|config|disconnect_reason)\.hpp|server/guard/(connection_guard|token_bucket)\.hpp|server/metrics/(latency_histogram|owned_counter|shard_metrics)\.hpp|server/recovery/recovery_options\.hpp|server/http/http_types\.hpp'
transport_files=(server/websocket/*.hpp server/websocket/*.cpp server/tls/tls_channel.hpp
                 server/tls/tls_channel.cpp server/tls/tls_context.hpp server/tls/tls_context.cpp
                 server/transport/*.hpp server/asio.cpp
                 server/guard/connection_guard.cpp server/metrics/latency_histogram.cpp)
check "a transport includes no layer above it" \
  "^(protocol/|rooms/|server/(websocket|transport)/|server/tls/tls_(channel|context)\\.hpp$|$base)" \
  "${transport_files[@]}"
check "the base of the transports includes no layer above it" "^(protocol/|rooms/|$base)" \
  server/asio.hpp server/ask_each.hpp server/string_hash.hpp server/metrics/exposition.hpp server/config.hpp server/disconnect_reason.hpp server/guard/connection_guard.hpp \
  server/guard/token_bucket.hpp server/metrics/latency_histogram.hpp \
  server/metrics/owned_counter.hpp server/metrics/shard_metrics.hpp \
  server/recovery/recovery_options.hpp server/http/http_types.hpp

# The hub (CMake target chorus_hub) delivers what Socket.IO encoded; it knows the transports'
# write pass and the shard's counters, nothing of a shard, Engine.IO or Socket.IO.
check "the hub includes no layer above it" \
  "^(protocol/|rooms/|server/fanout/|server/websocket/write_flusher\\.hpp$|server/(ask_each|string_hash)\\.hpp$|server/metrics/exposition\\.hpp$|$base)" \
  server/fanout/*.hpp server/fanout/*.cpp

# An Engine.IO session knows its transport only through the seam.
check "the Engine.IO session includes no transport implementation" \
  '^(protocol/|rooms/|server/(transport|engineio)/|server/(asio|config|disconnect_reason|shard|wakeup)\.hpp)' \
  server/engineio/session.hpp server/engineio/session.cpp

# Engine.IO is given what it needs of the server (engineio::endpoint_services): it includes no
# server, Socket.IO or application.
check "Engine.IO includes no layer above it" \
  "^(protocol/|rooms/|server/(engineio|transport|websocket|guard|http|metrics)/|server/(asio|config|disconnect_reason|shard|string_hash|wakeup)\\.hpp$)" \
  server/engineio/*.hpp server/engineio/*.cpp

# Connection state recovery (the node's packet log and kept sessions) stands on the hub and
# Engine.IO's message framing (a stored packet is re-framed with its offset); Socket.IO
# stands on Engine.IO, the hub and recovery and is handed the node (server/node_services.hpp):
# neither includes the server, a cluster adapter or an application.
check "recovery includes no layer above the hub and Engine.IO framing" \
  "^(protocol/|rooms/|server/(recovery|fanout|metrics)/|server/engineio/outbound_packet\\.hpp$|server/(asio|config|disconnect_reason|string_hash)\\.hpp$)" \
  server/recovery/*.hpp server/recovery/*.cpp
check "Socket.IO includes no server, cluster or application" \
  "^(protocol/|rooms/|server/(socketio|engineio|fanout|recovery|metrics)/|server/(asio|config|disconnect_reason|node_services|shard|string_hash)\\.hpp$)" \
  server/socketio/*.hpp server/socketio/*.cpp server/node_services.hpp

# A shard is one thread's context below HTTP: its loop, config, scratch, counters and hub (its
# Engine.IO sessions are Engine.IO's registry).
check "the shard includes no layer above the hub" \
  "^(protocol/|rooms/|server/fanout/|server/shard\\.hpp$|server/websocket/write_flusher\\.hpp$|$base)" \
  server/shard.hpp server/shard.cpp

# HTTP serves whatever registers a route on it (its site, http/site.hpp): it includes nothing of
# the layers above, nor the server that composes them; of a shard it uses the loop and config.
check "HTTP and the TLS session include no layer above them" \
  "^(protocol/|rooms/|server/(http|tls|guard|websocket|transport|fanout|metrics)/|server/(asio|config|disconnect_reason|log_format|shard|string_hash)\\.hpp$)" \
  server/http/*.hpp server/http/*.cpp server/tls/*.hpp server/tls/*.cpp

if ((failed)); then
  echo "layers: an include runs against the layers' direction (scripts/check-layers.sh)" >&2
  exit 1
fi
echo "layers: every include runs downward"
