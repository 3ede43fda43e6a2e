#pragma once

#include <string>

#include "server/chat/presence.hpp"
#include "server/chat/presence_service.hpp"

namespace chorus::server::chat {

// One process: the in-process presence, every callback run at once.
class local_presence final : public presence_service {
 public:
  explicit local_presence(std::size_t max_listed) : people_(max_listed) {}

  void enter(asio::any_io_executor, std::string room, std::string username,
             roster_callback done) override {
    done(people_.enter(room, username));
  }
  void leave(asio::any_io_executor, std::string room, std::string username,
             roster_callback done) override {
    done(people_.leave(room, username));
  }
  void users(asio::any_io_executor, std::string room, roster_callback done) override {
    done(people_.users(room));
  }
  void sign_in(asio::any_io_executor, std::string username, done_callback done) override {
    people_.sign_in(username);
    done(true);
  }
  void sign_out(asio::any_io_executor, std::string username, done_callback done) override {
    people_.sign_out(username);
    done(true);
  }
  void online(asio::any_io_executor, std::string username, online_callback done) override {
    done(people_.online(username));
  }

 private:
  presence people_;
};

}  // namespace chorus::server::chat
