#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/cluster/redis_adapter_base.hpp"
#include "server/string_hash.hpp"

namespace chorus::protocol::cluster {
struct redis_request;
}  // namespace chorus::protocol::cluster

namespace chorus::server::cluster {

// @socket.io/redis-adapter 8.3's classic Pub/Sub protocol (../shared/SCALEOUT.md §1): broadcasts
// on "<key>#<nsp>#[<room>#]" (PSUBSCRIBEd), requests on "<key>-request#<nsp>#", responses on
// "<key>-response#<nsp>#[<uid>#]"; serverCount = NUMSUB of the request channel.
class redis_adapter final : public redis_adapter_base {
 public:
  redis_adapter(server& srv, redis_adapter_options options, std::vector<std::string> namespaces,
                fanout::server_event_sink sink);
  ~redis_adapter() override;

  // Cluster-wide (ALL_ROOMS), as the Node adapter's allRooms.
  awaitable<std::vector<std::string>> room_names(std::string nsp) override;

 private:
  enum class channel_kind { request, response };

  std::string new_request_id() const override;
  std::string counted_channel(std::string_view nsp) const override;
  void on_message(std::string_view channel, std::string_view payload) override;
  void publish_broadcast(const fanout::broadcast_job& job) override;
  bool publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                   const std::string& request_id) override;
  bool publish_fetch(const std::string& nsp, const std::string& request_id,
                     const rooms::broadcast_target& target) override;
  bool publish_server_side_emit(const std::string& nsp, const std::string& data_json,
                                const std::string& request_id) override;
  // Applied here when the message comes back (as the Node adapter does).
  bool publish_sockets_operation(const sockets_operation& op) override;

  void on_broadcast(const std::string& nsp, std::string_view payload);
  void on_request(const std::string& nsp, std::string_view payload);
  void on_rooms_request(const std::string& nsp, protocol::cluster::redis_request& request);
  void on_response(std::string_view payload);
  awaitable<std::vector<std::string>> all_rooms_on_link(std::string nsp);
  awaitable<void> answer_all_rooms(std::string nsp, std::string request_id);

  // channel → (what it carries, namespace), for the exact channels; broadcasts by prefix.
  // Looked up for every message: by string_view, no copy.
  std::unordered_map<std::string, std::pair<channel_kind, std::string>, string_hash,
                     std::equal_to<>>
      channels_;
  std::vector<std::pair<std::string, std::string>> broadcast_prefixes_;  // (nsp, "<key>#<nsp>#")
};

}  // namespace chorus::server::cluster
