#include "bench/client/client_frame.hpp"

namespace chorus::bench {

void append_client_frame(std::string& out, ws::opcode op, std::string_view payload,
                         const ws::masking_key& key) {
  std::uint8_t header[14];
  std::size_t n = 0;
  header[n++] = static_cast<std::uint8_t>(0x80 | static_cast<std::uint8_t>(op));
  std::uint64_t size = payload.size();
  if (size < 126) {
    header[n++] = static_cast<std::uint8_t>(0x80 | size);
  } else if (size <= 0xffff) {
    header[n++] = 0x80 | 126;
    header[n++] = static_cast<std::uint8_t>(size >> 8);
    header[n++] = static_cast<std::uint8_t>(size);
  } else {
    header[n++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      header[n++] = static_cast<std::uint8_t>(size >> shift);
  }
  for (std::uint8_t b : key) header[n++] = b;
  out.append(reinterpret_cast<const char*>(header), n);
  std::size_t start = out.size();
  out.append(payload);
  ws::apply_mask(reinterpret_cast<std::uint8_t*>(out.data() + start), payload.size(), key);
}

server_frame read_server_frame(std::span<const std::uint8_t> data, std::size_t max_payload) {
  server_frame frame;
  auto invalid = [&](const char* why) {
    frame.state = server_frame::status::invalid;
    frame.error = why;
    return frame;
  };
  if (data.size() < 2) return frame;
  std::uint8_t b0 = data[0], b1 = data[1];
  if (b0 & 0x70) return invalid("reserved bits set");
  if (b1 & 0x80) return invalid("masked server frame");
  frame.fin = (b0 & 0x80) != 0;
  auto op = static_cast<std::uint8_t>(b0 & 0x0f);
  if (op > 2 && (op < 8 || op > 10)) return invalid("unknown opcode");
  frame.op = static_cast<ws::opcode>(op);
  std::uint64_t size = b1 & 0x7f;
  std::size_t header = 2;
  if (size == 126) {
    if (data.size() < 4) return frame;
    size = (std::uint64_t{data[2]} << 8) | data[3];
    header = 4;
  } else if (size == 127) {
    if (data.size() < 10) return frame;
    size = 0;
    for (std::size_t i = 2; i < 10; ++i) size = (size << 8) | data[i];
    header = 10;
  }
  if (ws::is_control(frame.op) && (!frame.fin || size > ws::max_control_payload_size)) {
    return invalid("bad control frame");
  }
  if (size > max_payload) return invalid("frame too big");
  if (data.size() - header < size) return frame;
  frame.payload = std::string_view(reinterpret_cast<const char*>(data.data()) + header,
                                   static_cast<std::size_t>(size));
  frame.size = header + static_cast<std::size_t>(size);
  frame.state = server_frame::status::complete;
  return frame;
}

}  // namespace chorus::bench
