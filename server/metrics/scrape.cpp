#include "server/metrics/scrape.hpp"

#include "server/fanout/adapter.hpp"
#include "server/fanout/ask_every_shard.hpp"
#include "server/metrics/families.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/server.hpp"

namespace chorus::server::metrics {

awaitable<std::string> scrape(server& srv) {
  std::vector<shard_census> census;
  census.reserve(srv.shard_count());
  auto asked = fanout::ask_every_shard(
      srv, [](shard& s) { return take_census(s); },
      [&census](shard_census part) { census.push_back(std::move(part)); });
  co_await std::move(asked);
  std::vector<const shard_metrics*> shards;
  for (unsigned i = 0; i < srv.shard_count(); ++i) shards.push_back(&srv.shard_at(i).metrics());
  std::vector<family> families = make_families(shards, census);
  srv.adapter().append_metrics(families);
  if (auto* recovery = srv.recovery()) recovery->append_metrics(families);
  co_return write_exposition(families);
}

}  // namespace chorus::server::metrics
