// WebSocket framing kernels: server frame headers (once per broadcast) and client frame reading
// with unmasking (on every inbound byte).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/frame_reader.hpp"
#include "protocol/websocket/mask.hpp"

namespace {

namespace ws = chorus::protocol::websocket;

constexpr ws::masking_key bench_key{0x37, 0xfa, 0x21, 0x3d};

// A masked client frame carrying `payload` (ASCII, so it is valid UTF-8 as text).
std::vector<std::uint8_t> masked_frame(ws::opcode op, std::size_t size) {
  std::vector<std::uint8_t> frame(ws::max_frame_header_size + 4 + size);
  std::size_t header = ws::encode_frame_header(frame.data(), op, size);
  frame[1] |= 0x80;  // MASK bit: the encoder writes server (unmasked) headers
  std::copy(bench_key.begin(), bench_key.end(), frame.begin() + header);
  header += 4;
  for (std::size_t i = 0; i < size; ++i)
    frame[header + i] = static_cast<std::uint8_t>('a' + i % 26);
  ws::apply_mask(frame.data() + header, size, bench_key);
  frame.resize(header + size);
  return frame;
}

void BM_encode_frame_header(benchmark::State& state) {
  const auto payload_size = static_cast<std::uint64_t>(state.range(0));
  std::uint8_t out[ws::max_frame_header_size];
  std::size_t written = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(payload_size);
    written += ws::encode_frame_header(out, ws::opcode::text, payload_size);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(written));  // header bytes written
}
BENCHMARK(BM_encode_frame_header)->Arg(100)->Arg(16 * 1024)->Arg(1 << 20);

void BM_apply_mask(benchmark::State& state) {
  std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    ws::apply_mask(data.data(), data.size(), bench_key, 1);
    benchmark::DoNotOptimize(data.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_apply_mask)->Arg(100)->Arg(16 * 1024);

// Binary: unmasking twice restores the masked bytes, so the same buffer is read in place every
// iteration with no copy — this measures exactly header parsing + unmasking.
void BM_read_binary_message(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> frame = masked_frame(ws::opcode::binary, size);
  ws::frame_reader reader;
  for (auto _ : state) {
    std::size_t consumed = 0;
    const ws::reader_event e = reader.next(frame, consumed);
    if (e.what != ws::reader_event::kind::message) state.SkipWithError("not a message");
    benchmark::DoNotOptimize(e.payload.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(BM_read_binary_message)->Arg(100)->Arg(16 * 1024);

// Text: the unmasked bytes must be valid UTF-8, so each iteration restores the masked frame from
// a pristine copy first (a memcpy, included in the time) and the read adds UTF-8 validation.
void BM_read_text_message(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint8_t> pristine = masked_frame(ws::opcode::text, size);
  std::vector<std::uint8_t> frame = pristine;
  ws::frame_reader reader;
  for (auto _ : state) {
    std::copy(pristine.begin(), pristine.end(), frame.begin());
    std::size_t consumed = 0;
    const ws::reader_event e = reader.next(frame, consumed);
    if (e.what != ws::reader_event::kind::message) state.SkipWithError("not a message");
    benchmark::DoNotOptimize(e.payload.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(BM_read_text_message)->Arg(100)->Arg(16 * 1024);

// A 16 KiB text message arriving in 4 KiB reads: the assembled (copying) path.
void BM_read_text_message_in_pieces(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint8_t> pristine = masked_frame(ws::opcode::text, size);
  std::vector<std::uint8_t> frame = pristine;
  constexpr std::size_t read_size = 4096;
  ws::frame_reader reader;
  for (auto _ : state) {
    std::copy(pristine.begin(), pristine.end(), frame.begin());
    std::span<std::uint8_t> rest(frame);
    ws::reader_event e;
    std::size_t pos = 0;
    std::size_t end = 0;
    do {
      end = std::min(end + read_size, frame.size());
      std::size_t consumed = 0;
      e = reader.next(rest.subspan(pos, end - pos), consumed);
      pos += consumed;
    } while (e.what == ws::reader_event::kind::need_more && end < frame.size());
    if (e.what != ws::reader_event::kind::message) state.SkipWithError("not a message");
    benchmark::DoNotOptimize(e.payload.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}
BENCHMARK(BM_read_text_message_in_pieces)->Arg(16 * 1024);

}  // namespace
