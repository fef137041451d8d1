import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { entryMaps } from "../../sdk/encrypted-values";
import type { TargetOutputs } from "../../provider/toolkit";
import { applicationEnv } from "../support/application-env";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";

// Entry names that are Object.prototype members: the provider looked names up in plain objects,
// so "constructor" or "toString" found a function where no entry was. The first up then left
// those secrets unencrypted and every later preview failed inside protobuf. They must work like
// any other name: deployed, changed alone, removed.

const NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"];
type Stored = Record<string, string> | undefined;

describe("EncryptedValues entries named like Object.prototype members", () => {
  let d: Deployment;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);
  const opened = async () => {
    const o = d.values.state.get("proto")!.outputs;
    const maps = entryMaps(o.ciphertexts as Stored, o.envelopes as Stored, o as unknown as TargetOutputs);
    const out: Record<string, string> = {};
    for (const [name, envelope] of Object.entries(maps.envelopes)) {
      out[name] = (await decrypt(envelope, { env: env() })).toString();
    }
    return out;
  };
  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  for (const changeDetection of ["digest", "trigger"] as const) {
    it(`${changeDetection} mode: deployed, one changed alone, one removed, each opening to its own value`, async () => {
      const plaintexts = Object.fromEntries(NAMES.map((n) => [n, `${n}-secret-${changeDetection}`]));
      const triggers = changeDetection === "trigger" ? Object.fromEntries(NAMES.map((n) => [n, "1"])) : undefined;
      const inputs = (p: Record<string, string>, t?: Record<string, string>) =>
        ({ plaintexts: p, keyId: "key-rsa2048", changeDetection, ...(t ? { triggers: t } : {}) });
      await d.nextCommand();
      const expected = d.values.state.has("proto") ? "update" : "create";
      assert.equal((await d.values.up("proto", inputs(plaintexts, triggers))).op, expected);
      assert.deepEqual(await opened(), plaintexts);
      await d.nextCommand();
      assert.equal((await d.values.preview("proto", inputs(plaintexts, triggers))).op, "same");

      const changed = { ...plaintexts, toString: `changed-${changeDetection}` };
      const changedTriggers = triggers ? { ...triggers, toString: "2" } : undefined;
      d.emulator.resetStats();
      assert.equal((await d.values.up("proto", inputs(changed, changedTriggers))).op, "update");
      assert.equal(encryptCalls(d.emulator), 1, "only toString re-encrypted");
      assert.deepEqual(await opened(), changed);

      const { constructor: _removed, ...fewer } = changed;
      const fewerTriggers = changedTriggers ? Object.fromEntries(Object.entries(changedTriggers).filter(([n]) => n !== "constructor")) : undefined;
      d.emulator.resetStats();
      assert.equal((await d.values.up("proto", inputs(fewer, fewerTriggers))).op, "update");
      assert.equal(encryptCalls(d.emulator), 0, "a removal encrypts nothing");
      assert.deepEqual(await opened(), fewer);
    });
  }

  it("state whose revisions are not numbers counts them as absent: the entries re-encrypt, and nothing breaks", async () => {
    const state = d.values.state.get("proto")!;
    const revisions = { ...(state.outputs.plaintextRevisions as Record<string, unknown>), valueOf: "\u001b[31mnot a number" };
    d.values.state.set("proto", { ...state, outputs: { ...state.outputs, plaintextRevisions: revisions } });
    await d.nextCommand();
    const plaintexts = Object.fromEntries(NAMES.filter((n) => n !== "constructor").map((n) => [n, `${n}-again`]));
    assert.equal((await d.values.up("proto", { plaintexts, keyId: "key-rsa2048" })).op, "update");
    assert.deepEqual(await opened(), plaintexts);
  });
});
