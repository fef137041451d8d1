import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { envelopeOfOutputs } from "../../provider/toolkit";
import { decrypt } from "../../sdk/decrypt";
import { TYPE } from "../support/engine-steps";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";
import { applicationEnv } from "../support/application-env";

// What a deployment must survive besides bad input: values that share a name (under different
// parents) and a plaintext, a create whose check did not leave the plaintext, and state that was
// edited to carry costly digest parameters or identifiers that point elsewhere.

type Props = Record<string, unknown>;
const under = (component: string, name: string) => `urn:pulumi:dev::kms-test::my:app:${component}$${TYPE}::${name}`;

describe("the hand-off and state under pressure", () => {
  let d: Deployment;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    d = await deploy();
    env = applicationEnv(d.emulator, ACCESS_KEY);
  });
  after(() => d.close());

  it("two values named alike under two components, same plaintext, created at once with KMS latency: both open to it", async () => {
    d.stack.urns.set("a-db", under("A", "db"));
    d.stack.urns.set("b-db", under("B", "db"));
    const inputs = { plaintext: "shared plaintext of two same-named values", keyId: "key-rsa2048", envelope: true };
    d.emulator.setFaults({ latencyMs: 150, actions: ["AsymmetricEncrypt"] });
    try {
      const steps = await Promise.all([d.stack.up("a-db", inputs), d.stack.up("b-db", inputs)]);
      assert.deepEqual(steps.map((s) => s.op), ["create", "create"]);
    } finally {
      d.emulator.setFaults({ latencyMs: 0 });
    }
    for (const key of ["a-db", "b-db"]) {
      const outputs = d.stack.state.get(key)!.outputs;
      assert.equal((await decrypt(String(outputs.envelope), { env })).toString(), inputs.plaintext, key);
    }
    const digests = ["a-db", "b-db"].map((k) => JSON.stringify(d.stack.state.get(k)!.inputs.plaintextDigest));
    assert.notEqual(digests[0], digests[1], "the URN is in the salt: equal plaintexts, different digests");
    await d.nextCommand();
    const again = await Promise.all([d.stack.up("a-db", inputs), d.stack.up("b-db", inputs)]);
    assert.deepEqual(again.map((s) => s.op), ["same", "same"]);
  });

  it("even with one digest for both (as a name-only salt once made it), each create encrypts its own copy", async () => {
    d.stack.urns.set("a-same", under("A", "same"));
    d.stack.urns.set("b-same", under("B", "same"));
    const plaintext = "one plaintext, one digest, two values";
    const { plaintextDigest } = await d.stack.sdkInputs("a-same", { plaintext });
    const inputs = { plaintext, keyId: "key-rsa2048", envelope: true, plaintextDigest };
    d.emulator.setFaults({ latencyMs: 150, actions: ["AsymmetricEncrypt"] });
    try {
      await Promise.all([d.stack.up("a-same", inputs), d.stack.up("b-same", inputs)]);
    } finally {
      d.emulator.setFaults({ latencyMs: 0 });
    }
    for (const key of ["a-same", "b-same"]) {
      assert.equal((await decrypt(envelopeOfOutputs(d.stack.state.get(key)!.outputs), { env })).toString(), plaintext, key);
    }
  });

  it("a create whose check left no plaintext in this process fails with a clear message and encrypts nothing", async () => {
    const { inputs } = await d.host.check(d.stack.urn("orphan"), {}, {
      ...(await d.stack.sdkInputs("orphan", { plaintext: "orphaned", keyId: "key-rsa2048" })), __provider: d.providerBlob });
    await d.nextCommand(); // a new provider process: the hand-off is empty
    d.emulator.resetStats();
    await assert.rejects(d.host.create(d.stack.urn("orphan"), inputs as Props), /the plaintext is not available to this provider process/);
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("digest parameters from edited state are never run: such a digest is just a change, checked in milliseconds", async () => {
    const inputs = { plaintext: "value whose state was edited", keyId: "key-rsa2048" };
    await d.stack.up("edited", inputs);
    const state = d.stack.state.get("edited")!;
    // scrypt 2^20 with r=32, p=16 would take minutes and gigabytes per check.
    const costly = `scrypt$20$32$16$${"A".repeat(22)}$${"A".repeat(43)}`;
    d.stack.state.set("edited", { ...state, inputs: { ...state.inputs, plaintextDigest: costly } });
    await d.nextCommand();
    const started = performance.now();
    const step = await d.stack.preview("edited", inputs);
    assert.ok(performance.now() - started < 2_000, "no costly scrypt ran");
    assert.equal(step.op, "update", "an unrecognised digest counts as a change");
    assert.equal((await d.stack.up("edited", inputs)).op, "update");
    assert.equal(d.stack.state.get("edited")!.outputs.plaintextRevision, 2);
    assert.equal((await d.stack.up("edited", inputs)).op, "same", "then the value is settled again");
  });

  it("refresh refuses state whose identifiers were altered, naming the field, before any KMS call", async () => {
    await d.stack.up("pinned", { plaintext: "pinned", keyId: "key-rsa2048" });
    await d.nextCommand();
    const original = d.stack.state.get("pinned")!;
    const tampered = [{ region: "x@127.0.0.1:9/" }, { keyId: "key-rsa2048\u001b[2J" }, { keyVersionId: "../v" }, { certificateId: "a b" }];
    d.emulator.resetStats();
    for (const change of tampered) {
      d.stack.state.set("pinned", { ...original, outputs: { ...original.outputs, ...change } });
      const [name] = Object.keys(change) as [string];
      await assert.rejects(d.stack.refresh("pinned"), (e: Error) => {
        assert.match(e.message, new RegExp(`the stored ${name} '.*' is not a valid ${name}; the state was altered`));
        assert.doesNotMatch(e.message, /\u001b/);
        return true;
      });
    }
    assert.deepEqual(d.emulator.stats().calls, {});
    d.stack.state.set("pinned", original);
  });
});
