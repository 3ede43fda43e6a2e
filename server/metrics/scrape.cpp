#include "server/metrics/scrape.hpp"

#include "server/ask_each.hpp"
#include "server/fanout/adapter.hpp"
#include "server/metrics/families.hpp"
#include "server/recovery/state_recovery.hpp"
#include "server/server.hpp"

namespace chorus::server::metrics {

awaitable<std::string> scrape(server& srv) {
  std::vector<shard*> every_shard;
  for (unsigned i = 0; i < srv.shard_count(); ++i) every_shard.push_back(&srv.shard_at(i));
  std::vector<shard_census> census;
  census.reserve(every_shard.size());
  auto asked = ask_each(
      every_shard, [](shard& s) { return take_census(s); },
      [&census](shard_census part) { census.push_back(std::move(part)); });
  co_await std::move(asked);
  std::vector<const shard_metrics*> shards;
  for (shard* s : every_shard) shards.push_back(&s->metrics());
  std::vector<family> families = make_families(shards, census);
  srv.adapter().append_metrics(families);
  if (auto* recovery = srv.recovery()) recovery->append_metrics(families);
  co_return write_exposition(families);
}

}  // namespace chorus::server::metrics
