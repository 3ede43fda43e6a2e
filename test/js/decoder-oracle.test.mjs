// The oracle table of test/data/socketio_decoder_oracle.json, checked against socket.io-parser's
// own decoder (the npm package the official client and server use): every packet decodes there
// exactly as the table says. test/unit/socketio_decoder_oracle_test.cpp holds chorus's decoder
// to the same table.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Decoder } from "socket.io-parser";

const table = JSON.parse(readFileSync(new URL("../data/socketio_decoder_oracle.json", import.meta.url), "utf8"));

describe("socket.io-parser decodes every packet of the oracle table as the table says", () => {
  for (const entry of table.cases) {
    it(entry.packet, () => {
      const decoder = new Decoder();
      let packet;
      let error;
      try {
        packet = decoder.decodeString(entry.packet);
      } catch (err) {
        error = err.message;
      }
      if (entry.oracle_error !== undefined) {
        assert.equal(error, entry.oracle_error);
        assert.ok(entry.chorus_refuses, "chorus must refuse what the oracle refuses");
        return;
      }
      assert.equal(error, undefined, `the oracle refused it: ${error}`);
      const expected = { type: entry.type, nsp: entry.nsp };
      if (entry.id !== undefined) expected.id = entry.id;
      if (entry.data !== undefined) expected.data = JSON.parse(entry.data);
      if (entry.type === 5 || entry.type === 6) expected.attachments = 1; // every binary case is "1-"
      assert.deepEqual(packet, expected);
    });
  }
});
