#pragma once

#include <string_view>

namespace chorus::rooms {

// Told when a room of a table comes into being (its first member joins) and when it goes (its
// last member leaves, or it is closed). Called on the table's thread in the middle of the
// change: it must not touch the table.
class room_observer {
 public:
  virtual void room_created(std::string_view room) = 0;
  virtual void room_deleted(std::string_view room) = 0;

 protected:
  ~room_observer() = default;
};

}  // namespace chorus::rooms
