#pragma once

// Client→server payload masking (RFC 6455 §5.3). Every inbound byte passes through here.

#include <array>
#include <cstddef>
#include <cstdint>

namespace chorus::protocol::websocket {

using masking_key = std::array<std::uint8_t, 4>;

// XORs size bytes at data with key, in place (masking and unmasking are the same operation).
// phase is the offset of data[0] within the frame payload, modulo 4, so a payload that arrives
// in pieces can be unmasked piece by piece. Returns the phase for the byte after the last one.
std::size_t apply_mask(std::uint8_t* data, std::size_t size, const masking_key& key,
                       std::size_t phase = 0);

}  // namespace chorus::protocol::websocket
