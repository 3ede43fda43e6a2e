#include "protocol/websocket/client_header.hpp"

namespace chorus::protocol::websocket {
namespace {

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t rsv_bits = 0x70;  // RSV1-3: only meaningful with negotiated extensions
constexpr std::uint8_t opcode_bits = 0x0F;
constexpr std::uint8_t mask_bit = 0x80;
constexpr std::uint8_t length_bits = 0x7F;
constexpr std::uint8_t length_16 = 126;
constexpr std::uint8_t length_64 = 127;

bool known_opcode(std::uint8_t op) {
  switch (static_cast<opcode>(op)) {
    case opcode::continuation:
    case opcode::text:
    case opcode::binary:
    case opcode::close:
    case opcode::ping:
    case opcode::pong:
      return true;
  }
  return false;
}

header_result incomplete() {
  return {};
}

header_result invalid(close_code code, const char* reason) {
  header_result result;
  result.state = header_result::status::invalid;
  result.error = code;
  result.reason = reason;
  return result;
}

std::uint64_t read_big_endian(const std::uint8_t* p, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) value = (value << 8) | p[i];
  return value;
}

// Checks the first byte: reserved bits, opcode, and the frame's place in the message sequence.
const char* check_first_byte(std::uint8_t b0, const header_context& ctx) {
  if ((b0 & rsv_bits) != 0) return "reserved bits set";
  const std::uint8_t raw = b0 & opcode_bits;
  if (!known_opcode(raw)) return "unknown opcode";
  const auto op = static_cast<opcode>(raw);
  if (is_control(op)) return (b0 & fin_bit) != 0 ? nullptr : "fragmented control frame";
  if (op == opcode::continuation && !ctx.message_open) return "continuation without message";
  if (op != opcode::continuation && ctx.message_open) return "new message inside fragmented one";
  return nullptr;
}

}  // namespace

header_result parse_client_header(std::span<const std::uint8_t> data, const header_context& ctx) {
  if (data.empty()) return incomplete();
  if (const char* reason = check_first_byte(data[0], ctx)) {
    return invalid(close_code::protocol_error, reason);
  }
  const auto op = static_cast<opcode>(data[0] & opcode_bits);

  if (data.size() < 2) return incomplete();
  // §5.1: a server MUST close the connection on an unmasked client frame.
  if ((data[1] & mask_bit) == 0) return invalid(close_code::protocol_error, "unmasked frame");
  const std::uint8_t length_field = data[1] & length_bits;
  if (is_control(op) && length_field > max_control_payload_size) {
    return invalid(close_code::protocol_error, "control frame too long");
  }

  const std::size_t length_size =
      length_field == length_16 ? 2 : (length_field == length_64 ? 8 : 0);
  if (data.size() < 2 + length_size) return incomplete();
  std::uint64_t payload_size = length_field;
  if (length_size != 0) {
    payload_size = read_big_endian(data.data() + 2, length_size);
    if (length_size == 8 && (payload_size >> 63) != 0) {
      return invalid(close_code::protocol_error, "invalid payload length");
    }
    // §5.2: "the minimal number of bytes MUST be used to encode the length".
    const std::uint64_t minimum = length_size == 2 ? length_16 : 0x10000;
    if (payload_size < minimum) return invalid(close_code::protocol_error, "non-minimal length");
  }
  if (!is_control(op) && payload_size > ctx.payload_budget) {
    return invalid(close_code::message_too_big, "message too big");
  }

  const std::size_t size = 2 + length_size + 4;
  if (data.size() < size) return incomplete();
  header_result result;
  result.state = header_result::status::complete;
  result.header.fin = (data[0] & fin_bit) != 0;
  result.header.op = op;
  result.header.payload_size = payload_size;
  for (std::size_t i = 0; i < 4; ++i) result.header.mask[i] = data[2 + length_size + i];
  result.header.size = size;
  return result;
}

}  // namespace chorus::protocol::websocket
