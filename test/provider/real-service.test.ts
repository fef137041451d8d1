import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { call, officialClient } from "../support/kms-client";
import { deploy } from "./fixtures";
import { failed, newest, opened, type Props } from "./real-service-steps";

// The provider against KMS as documented, and against each shape the reference leaves open (the
// emulator answers each on request): DescribeKey without PrimaryKeyVersion, and the documented
// Forbidden.KeyVersionNotFound beside the older code. DryRun refusals, KMS 3.0 instance keys and a
// region without Certificates Manager's API are in real-service-gateways.test.ts (a file each, so
// the two run side by side).

describe("DescribeKey without PrimaryKeyVersion (documented for symmetric keys only)", () => {
  for (const shape of ["absent", "empty"] as const) {
    it(`${shape}: values that follow a key take ListKeyVersions' newest version, directly, locally and as envelopes; one list per key`, async () => {
      const d = await deploy({ behaviour: { asymmetricPrimaryKeyVersion: shape } });
      try {
        const values: Record<string, Props> = {
          follows: { plaintext: "follows the key", keyId: "alias/app" },
          local: { plaintext: "encrypted locally", keyId: "key-rsa3072", encryptLocally: true },
          envelope: { plaintext: "an envelope", keyId: "key-sm2", envelope: true },
          pinned: { plaintext: "pinned", keyId: "key-other", keyVersionId: newest(d, "key-other") },
        };
        for (const [name, inputs] of Object.entries(values)) assert.deepEqual(await d.stack.preview(name, inputs), { op: "create", failures: [] }, name);
        assert.equal(d.emulator.stats().calls.ListKeyVersions, 3, "one ListKeyVersions per followed key, none for the pinned one");
        await d.nextCommand();
        d.emulator.resetStats();
        for (const [name, inputs] of Object.entries(values)) assert.equal((await d.stack.up(name, inputs)).op, "create", name);
        assert.equal(d.emulator.stats().calls.ListKeyVersions, 3);
        for (const [name, keyId] of [["follows", "key-rsa2048"], ["local", "key-rsa3072"], ["envelope", "key-sm2"]]) {
          const o = d.stack.state.get(name!)!.outputs;
          assert.equal(o.keyVersionId, newest(d, keyId!), name);
          assert.equal(await opened(d, o), values[name!]!.plaintext, name);
        }
        // A new version appears in ListKeyVersions: the values that follow the key re-encrypt under it.
        await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-rsa2048" });
        await d.nextCommand();
        const ops: Record<string, string> = {};
        for (const [name, inputs] of Object.entries(values)) ops[name] = (await d.stack.up(name, inputs)).op;
        assert.deepEqual(ops, { follows: "update", local: "same", envelope: "same", pinned: "same" });
        assert.equal(d.stack.state.get("follows")!.outputs.keyVersionId, newest(d, "key-rsa2048"));
        assert.equal(await opened(d, d.stack.state.get("follows")!.outputs), "follows the key");
      } finally {
        await d.close();
      }
    });
  }

  it("reads ListKeyVersions to its last page: the newest of 120 versions", async () => {
    const d = await deploy({ behaviour: { asymmetricPrimaryKeyVersion: "absent" } });
    try {
      const key = d.emulator.store.resolveKey("key-rotating");
      for (let i = 0; i < 119; i++) d.emulator.store.createKeyVersion(key);
      d.emulator.resetStats();
      assert.equal((await d.stack.up("many", { plaintext: "one of many", keyId: "key-rotating" })).op, "create");
      assert.equal(d.emulator.stats().calls.ListKeyVersions, 2, "two pages of 100");
      assert.equal(d.stack.state.get("many")!.outputs.keyVersionId, newest(d, "key-rotating"));
    } finally {
      await d.close();
    }
  });
});

describe("an unknown key version: Forbidden.KeyVersionNotFound (documented) and Forbidden.ResourceNotFound (older)", () => {
  for (const code of ["Forbidden.KeyVersionNotFound", "Forbidden.ResourceNotFound"] as const) {
    it(`${code}: check names keyVersionId with the fix; refresh reports a deleted version as stale, without failing`, async () => {
      const d = await deploy({ behaviour: { keyVersionNotFoundCode: code } });
      try {
        const [failure] = failed(await d.stack.preview("unknown", { plaintext: "x", keyId: "key-rsa2048", keyVersionId: "00000000-0000-0000-0000-000000000000" }));
        assert.equal(failure!.property, "keyVersionId");
        assert.match(failure!.reason, new RegExp(`^keyVersionId '0{8}-.*': ${code.replace(".", "\\.")} — not a version of key key-rsa2048; omit keyVersionId`));
        // A version that disappears after deployment (the key's material rotated out) leaves a stale ciphertext.
        const key = d.emulator.store.resolveKey("key-other");
        await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-other" });
        const doomed = key.versions[0]!.keyVersionId;
        await d.stack.up("pinned", { plaintext: "pinned", keyId: "key-other", keyVersionId: doomed });
        key.versions.splice(0, 1);
        await d.nextCommand();
        const refreshed = await d.stack.refresh("pinned");
        assert.match(String(refreshed.staleReason), new RegExp(`key key-other version ${doomed} no longer exists \\(${code.replace(".", "\\.")}\\); the next up re-encrypts`));
      } finally {
        await d.close();
      }
    });
  }
});
