#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/ from the table-driven unit tests' inputs (the spec
examples and the bad inputs of /work/shared/PROTOCOL.md as the tests spell them) plus a few
hand-built WebSocket frames and HTTP requests, and for the cluster messages the oracle table
test/data/notepack_oracle.json (what the Node.js adapters publish). Run from anywhere; rewrites the corpus whole.
The frame-reader and HTTP seeds mirror test/unit/websocket_frame_reader_test.cpp and
test/server/*_test.cpp cases, whose inputs are built by code rather than written as literals."""

import hashlib
import json
import pathlib
import re
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"

ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\", '"': b'"', "'": b"'"}


def cpp_literals(path):
    """Every string literal in a C++ file, adjacent literals joined, escapes decoded."""
    text = path.read_text()
    text = re.sub(r"(^|(?<=\s))//[^\n]*", "", text, flags=re.M)
    out, current, i, joined = [], None, 0, False
    while i < len(text):
        if text.startswith('R"(', i):
            end = text.index(')"', i + 3)
            piece, i = text[i + 3:end].encode(), end + 2
        elif text[i] == '"' and (i == 0 or text[i - 1] not in "'\\"):
            piece, i = bytearray(), i + 1
            while text[i] != '"':
                if text[i] == "\\":
                    c = text[i + 1]
                    if c == "x":
                        m = re.match(r"[0-9a-fA-F]{1,2}", text[i + 2:])
                        piece.append(int(m.group(0), 16))
                        i += 2 + len(m.group(0))
                        continue
                    piece += ESCAPES.get(c, c.encode())
                    i += 2
                else:
                    piece += text[i].encode()
                    i += 1
            piece, i = bytes(piece), i + 1
        else:
            if not text[i].isspace() and current is not None:
                out.append(current)
                current = None
            i += 1
            continue
        current = piece if current is None else current + piece
    if current is not None:
        out.append(current)
    return [s for s in out if not s.endswith(b".hpp") and not s.endswith(b".h")]


def write(target, seeds):
    folder = CORPUS / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for seed in dict.fromkeys(seeds):
        (folder / hashlib.sha1(seed).hexdigest()[:16]).write_bytes(seed)


def unit(name):
    return cpp_literals(ROOT / "test" / "unit" / name)


PROTOCOL_BAD_INPUTS = [
    b'51-["hello",{"_placeholder":true,"num":"splice"}]', b'2[{"toString":"foo"}]',
    b'2[true,"foo"]', b"2[]", b"2{}", b'2["connect"]', b'2["disconnect"]',
    b'2["connect_error"]', b'2["disconnecting"]', b'2["newListener"]', b'2["removeListener"]',
    b'2["error"]', b"99999991-[...]", b'511-["a"]', b"2" + b"[" * 100 + b"]" * 100,
]


def engineio_seeds():
    seeds = unit("engineio_payload_test.cpp") + unit("engineio_packet_test.cpp")
    return [s for s in seeds if s] + [b"4hello\x1e2\x1e4world", b"bAQIDBA==", b"b"]


def socketio_seeds():
    texts = (unit("socketio_header_test.cpp") + unit("socketio_payload_test.cpp") +
             unit("socketio_binary_reassembler_test.cpp") + unit("socketio_encode_test.cpp") +
             PROTOCOL_BAD_INPUTS)
    seeds = []
    for text in texts:
        if not text or b"\0" in text:
            continue
        seeds.append(b"\0" + text)
        m = re.match(rb"[56](\d{1,2})-", text)
        if m:  # the attachments that complete it, and one too many
            n = int(m.group(1))
            seeds.append(b"\0" + text + b"\0B\x01\x02\x03" * n)
            seeds.append(b"\0" + text + b"\0B" * (n + 1))
            seeds.append(b"\x03" + text + b"\0B" + b"x" * 17)  # over a 16-byte bound
    return seeds


def client_frame(first, payload, key=b"\x37\xfa\x21\x3d"):
    n = len(payload)
    if n < 126:
        head = bytes([first, 0x80 | n])
    elif n <= 0xFFFF:
        head = bytes([first, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([first, 0x80 | 127]) + n.to_bytes(8, "big")
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def websocket_seeds():
    FIN, CONT, TEXT, BIN, CLOSE, PING, PONG = 0x80, 0, 1, 2, 8, 9, 10
    f = client_frame
    streams = [
        f(FIN | TEXT, b"Hello"), f(TEXT, b"Hel") + f(FIN | CONT, b"lo"), f(FIN | PING, b"Hello"),
        f(FIN | BIN, bytes(range(256))), f(FIN | PING, b""), f(FIN | PONG, b""),
        f(FIN | TEXT, b""), f(FIN | TEXT, b"a" * 125), f(FIN | TEXT, b"b" * 126),
        f(FIN | BIN, b"\xff\xfe\xc3"),
        f(TEXT, b"Hel", b"\1\2\3\4") + f(FIN | PING, b"ping") + f(CONT, b"l") +
        f(FIN | PONG, b"") + f(FIN | CONT, b"o"),
        f(TEXT, b"caf\xc3") + f(FIN | CONT, b"\xa9"),
        f(FIN | TEXT, b"a") + f(FIN | BIN, b"b") + f(FIN | CLOSE, b"\x03\xe8bye"),
        f(FIN | CLOSE, b""), f(FIN | CLOSE, b"\x0f\xa0d\xc3\xa9j\xc3\xa0"),
        # Bad input: unmasked, reserved bits and opcodes, oversized or fragmented control frames,
        # continuation misuse, invalid UTF-8, bad close payloads, a huge declared length.
        bytes([FIN | TEXT, 2]) + b"hi", f(0x40 | FIN | TEXT, b"x"), f(FIN | 3, b"x"),
        f(FIN | 0xB, b"x"), f(FIN | PING, b"p" * 126), f(PING, b"p"), f(FIN | CONT, b"x"),
        f(TEXT, b"a") + f(FIN | TEXT, b"b"), f(FIN | TEXT, b"ab\xff"),
        f(FIN | TEXT, b"\xed\xa0\x80"), f(FIN | TEXT, b"\xc0\xaf"), f(FIN | CLOSE, b"\x03"),
        f(FIN | CLOSE, b"\x03\xeea\xff"), f(FIN | CLOSE, b"\x03\xed"),
        bytes([FIN | BIN, 0x80 | 127]) + b"\x7f" + b"\xff" * 7 + b"\0\0\0\0",
        bytes([FIN | BIN, 0x80 | 127]) + b"\0\0\0\0\0\x0f\x42\x41" + b"\0\0\0\0",
        bytes([FIN | BIN, 0x80 | 126]) + b"\0\x7d" + b"\0\0\0\0" + b"x" * 125,
        f(FIN | TEXT, b"0123456789"), f(BIN, b"01234") + f(FIN | CONT, b"56789"),
    ]
    seeds = []
    for limit in (0, 3):  # 1,000,000 and 10 bytes
        for stream in streams:
            seeds.append(bytes([limit, 0]) + stream)
            seeds.append(bytes([limit, 3, 1, 2, 7]) + stream)
    return seeds


def http_seeds():
    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    targets = [t for t in cpp_literals(ROOT / "test" / "server" / "static_path_test.cpp")
               if t.startswith(b"/") or t in (b"*", b"etc/passwd")]
    targets += [b"/socket.io/?EIO=4&transport=polling", b"/socket.io/?EIO=3&transport=polling",
                b"/socket.io/?EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA",
                b"/socket.io/?EIO=4&transport=foo", b"/socket.io?EIO=4&transport=polling&sid=",
                b"/socket.io/?EIO=4&transport=polling&sid=AA%2FAAAAAAAAAAAAAAA&t=1",
                b"/" + b"d" * 1017 + b"/"]  # an index.html beyond the path bound (a finding)
    requests = [b"GET " + t + b" HTTP/1.1\r\nHost: localhost\r\n\r\n" for t in targets]
    requests += [
        b"POST /socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\n"
        b"Host: x\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: 14\r\n\r\n"
        b"40\x1e42[\"hi\",1]\x1e6",
        b"POST /socket.io/?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA HTTP/1.1\r\n"
        b"Host: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n40\x1e6\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n",
        b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 8\r\n\r\n",
        b"OPTIONS /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n"
        b"Origin: https://example.com\r\nAccess-Control-Request-Method: POST\r\n\r\n",
        b"HEAD /index.html HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"abc\"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n",
        b"GET / HTTP/1.0\r\n\r\n", b"GET /\r\n\r\n", b"BREW / HTTP/1.1\r\n\r\n",
    ]
    return [bytes([split]) + r for r in requests for split in (0, 77)]


def cluster_seeds():
    table = json.loads((ROOT / "test" / "data" / "notepack_oracle.json").read_text())
    selector = {"redis_broadcast": 1, "redis_request": 2, "redis_response": 3,
                "cluster_message": 4}
    seeds = [b"\0" + bytes.fromhex(v["hex"]) for v in table["values"]]
    for m in table["messages"]:
        payload = m["text"].encode() if "text" in m else bytes.fromhex(m["hex"])
        seeds.append(bytes([selector[m["decoder"]]]) + payload)
    # The JSON the unit tests refuse or accept, for each decoder that reads JSON.
    texts = (unit("protocol_cluster_redis_messages_test.cpp") +
             unit("protocol_cluster_cluster_messages_test.cpp"))
    for text in texts:
        if text.startswith(b"{"):
            seeds += [bytes([n]) + text for n in (2, 3, 4)]
    return seeds


def socketio_msgpack_seeds():
    """The reference encoder's vectors in the unit test, under each limits selector, and bad input
    spelled here as the unit test builds it: not a map, 0xc1, trailing bytes, huge declared lengths,
    deep nesting, a type 5, a map that reads as a placeholder."""
    hexes = [t.decode() for t in unit("socketio_msgpack_codec_test.cpp")
             if len(t) >= 8 and len(t) % 2 == 0 and re.fullmatch(rb"[0-9a-f]+", t)]
    packets = [bytes.fromhex(h) for h in hexes]
    head = b"\x83\xa4type\x02\xa3nsp\xa1/\xa4data"
    packets += [
        b"\x92\x02\xa1/", b"\xc1", packets[0] + b"\xc0", b"\xdf\xff\xff\xff\xff0123456789",
        head + b"\x92\xa1x\xc6\xff\xff\xff\xff0123456789", head + b"\x91" * 40 + b"\x01",
        b"\x83\xa4type\x05\xa3nsp\xa1/\xa4data\x92\xa1x\xc4\x00", b'2["hello","you"]',
        head + b"\x92\xa1x\x82\xac_placeholder\xc3\xa3num\x00",
        head + b"\x92\xa5error\x01",
        b"\x84\xa4type\x03\xa3nsp\xa1/\xa4data\x90\xa2id\xcb\x40\x1c\0\0\0\0\0\0",
    ]
    return [bytes([selector]) + p for p in packets for selector in (0, 15)]


write("fuzz_engineio_payload", engineio_seeds())
write("fuzz_socketio_packet", socketio_seeds())
write("fuzz_websocket_frame_reader", websocket_seeds())
write("fuzz_http_request", http_seeds())
write("fuzz_cluster_messages", cluster_seeds())
write("fuzz_socketio_msgpack", socketio_msgpack_seeds())
for target in sorted(CORPUS.iterdir()):
    print(target.name, len(list(target.iterdir())))
