import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { entryMaps } from "../../sdk/encrypted-values";
import type { StoredMap, TargetOutputs } from "../../provider/toolkit";
import { UNKNOWN } from "../../provider/engine/wire-values";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { call, officialClient } from "../support/kms-client";
import { opensslDecrypt } from "../support/openssl";
import { secretForms } from "../support/secret-forms";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";
import { applicationEnv } from "../support/application-env";

// EncryptedValues through the dynamic provider host as the engine drives it, against the emulator:
// every entry of one resource encrypted under one target, and change detection per entry, counted
// by the emulator's encryption calls and checked byte for byte on the entries left alone.

type Props = Record<string, unknown>;
type Entries = Record<string, string>;

const marker = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;

describe("EncryptedValues through the dynamic provider host", () => {
  let d: Deployment;
  let env: NodeJS.ProcessEnv;
  const seen: string[] = [];
  const entries = (n: number): Entries => Object.fromEntries(Array.from({ length: n }, (_, i) => {
    const value = marker(`entry-${i}`);
    seen.push(value);
    return [`secret-${i}`, value];
  }));
  const map = (value: unknown) => value as Record<string, string>;
  /** The outputs as the program sees them: state keeps one map of the two, the SDK derives the other. */
  const outputs = (name: string): Props => {
    const o = d.values.state.get(name)!.outputs;
    const [ciphertexts, envelopes] = [o.ciphertexts, o.envelopes] as StoredMap[];
    return { ...o, ...entryMaps(ciphertexts, envelopes, o as unknown as TargetOutputs) };
  };
  const inputs = (name: string) => d.values.state.get(name)!.inputs;
  /** Each entry through decrypt() (its envelope) and OpenSSL (its bare ciphertext). */
  const assertOpens = async (name: string, plaintexts: Entries) => {
    const stored = d.values.state.get(name)!.outputs;
    const kept = inputs(name).envelopeEncryption === true ? "envelopes" : "ciphertexts";
    const derived = kept === "envelopes" ? "ciphertexts" : "envelopes";
    assert.equal(typeof stored[kept], "object", `${name}: state keeps ${kept}`);
    assert.equal(stored[derived], "", `${name}: and for ${derived} only "", present so that a preview shows the map known`);
    const o = outputs(name);
    assert.deepEqual(Object.keys(map(o.ciphertexts)).sort(), Object.keys(plaintexts).sort(), `${name}: one ciphertext per entry`);
    assert.deepEqual(Object.keys(map(o.envelopes)).sort(), Object.keys(plaintexts).sort(), `${name}: one envelope per entry`);
    for (const [entry, plaintext] of Object.entries(plaintexts)) {
      assert.ok((await decrypt(map(o.envelopes)[entry]!, { env })).equals(Buffer.from(plaintext)), `${name}.${entry} through decrypt()`);
      if (inputs(name).envelopeEncryption !== true && o.algorithm !== "SM2PKE" && o.certificateId === "") {
        const viaOpenssl = opensslDecrypt(privateKeyFile(d.keysDir, o), String(o.algorithm), map(o.ciphertexts)[entry]!);
        assert.ok(viaOpenssl.equals(Buffer.from(plaintext)), `${name}.${entry} through OpenSSL`);
      }
    }
  };

  before(async () => {
    d = await deploy();
    env = applicationEnv(d.emulator, ACCESS_KEY);
  });
  after(() => d.close());

  const maps: Record<string, { plaintexts: Entries } & Props> = {};

  it("preview validates once for the whole map (Describe and one DryRun) and encrypts nothing", async () => {
    maps.api = { plaintexts: entries(20), keyId: "alias/app" };
    maps.local = { plaintexts: entries(20), keyId: "key-rsa3072", encryptLocally: true };
    maps.sm2 = { plaintexts: entries(3), keyId: "key-sm2" };
    maps.certificate = { plaintexts: entries(3), certificateId: "cert-rsa" };
    maps.envelope = { plaintexts: { tls: `${marker("pem")}${"x".repeat(5000)}`, small: marker("small") }, keyId: "key-rsa2048", envelope: true };
    seen.push(...Object.values(maps.envelope.plaintexts));
    d.emulator.resetStats();
    for (const [name, program] of Object.entries(maps)) assert.deepEqual(await d.values.preview(name, program), { op: "create", failures: [] }, name);
    // A stack's first preview: the digest salt is not created yet, so the digests are unknown.
    assert.deepEqual(await d.values.preview("first", { ...maps.api, plaintextDigests: UNKNOWN }), { op: "create", failures: [] });
    assert.equal(encryptCalls(d.emulator), 0);
    const { dryRunCalls } = d.emulator.stats();
    assert.equal(dryRunCalls.AsymmetricEncrypt, 2, "one DryRun per key and algorithm (RSA_2048 for api and envelope, SM2), not per entry");
  });

  it("up: every entry of every map opens to its plaintext; N entries make N encryptions, none locally", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, program] of Object.entries(maps)) {
      const step = await d.values.up(name, program);
      assert.equal(step.op, "create", name);
      await assertOpens(name, program.plaintexts);
    }
    const { calls } = d.emulator.stats();
    assert.equal(calls.AsymmetricEncrypt! - (d.emulator.stats().dryRunCalls.AsymmetricEncrypt ?? 0), 20 + 3 + 2, "api, sm2 and envelope entries");
    assert.equal(calls.CertificatePublicKeyEncrypt, 3);
    assert.equal(outputs("api").keyId, "key-rsa2048", "the alias resolves to the key's own ID");
    assert.deepEqual(outputs("api").plaintextRevisions, Object.fromEntries(Object.keys(maps.api!.plaintexts).map((n) => [n, 1])));
  });

  it("unchanged: nothing to do, zero encryptions", async () => {
    await d.nextCommand();
    d.emulator.resetStats();
    for (const [name, program] of Object.entries(maps)) assert.equal((await d.values.up(name, program)).op, "same", name);
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("one entry changed, one added, one removed: exactly two encryptions; every other entry byte for byte", async () => {
    for (const name of ["api", "local"]) {
      await d.nextCommand();
      const before = structuredClone(outputs(name));
      const plaintexts = { ...maps[name]!.plaintexts };
      plaintexts["secret-3"] = marker("changed");
      plaintexts["secret-new"] = marker("added");
      delete plaintexts["secret-7"];
      seen.push(plaintexts["secret-3"], plaintexts["secret-new"]);
      maps[name] = { ...maps[name]!, plaintexts };
      d.emulator.resetStats();
      assert.equal((await d.values.up(name, maps[name]!)).op, "update");
      assert.equal(encryptCalls(d.emulator), name === "api" ? 2 : 0, `${name}: only the changed and the added entry`);
      const after = outputs(name);
      for (const entry of Object.keys(plaintexts).filter((n) => n !== "secret-3" && n !== "secret-new")) {
        assert.equal(map(after.ciphertexts)[entry], map(before.ciphertexts)[entry], `${name}.${entry} kept its ciphertext`);
        assert.equal(map(after.envelopes)[entry], map(before.envelopes)[entry], `${name}.${entry} kept its envelope`);
      }
      assert.notEqual(map(after.ciphertexts)["secret-3"], map(before.ciphertexts)["secret-3"]);
      assert.equal(map(after.ciphertexts)["secret-7"], undefined, "the removed entry is gone");
      assert.equal((after.plaintextRevisions as Record<string, number>)["secret-3"], 2);
      assert.equal((after.plaintextRevisions as Record<string, number>)["secret-new"], 1);
      await assertOpens(name, plaintexts);
    }
  });

  it("a key rotation re-encrypts every entry; a pinned map does not move", async () => {
    const described = await call(officialClient(d.emulator), "DescribeKey", { KeyId: "key-rotating" });
    const pinned = String((described.KeyMetadata as Props).PrimaryKeyVersion);
    maps.following = { plaintexts: entries(4), keyId: "key-rotating" };
    maps.pinned = { plaintexts: entries(4), keyId: "key-rotating", keyVersionId: pinned };
    await d.nextCommand();
    for (const name of ["following", "pinned"]) await d.values.up(name, maps[name]!);
    await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-rotating" });
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.values.up("following", maps.following!)).op, "update");
    assert.equal(encryptCalls(d.emulator), 4, "every entry of the follower");
    assert.notEqual(outputs("following").keyVersionId, pinned);
    assert.equal((await d.values.up("pinned", maps.pinned!)).op, "same");
    await assertOpens("following", maps.following!.plaintexts);
  });

  it("refresh marks a disabled key stale; the next up re-encrypts every entry once the key is back", async () => {
    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-sm2" });
    await d.nextCommand();
    const refreshed = await d.values.refresh("sm2");
    assert.match(String(refreshed.staleReason), /key key-sm2 is Disabled/);
    await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-sm2" });
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.values.up("sm2", maps.sm2!)).op, "update");
    assert.equal(encryptCalls(d.emulator), 3);
    assert.equal(outputs("sm2").staleReason, "");
  });

  it("trigger mode: an entry re-encrypts when its trigger changes, and only then", async () => {
    maps.triggered = { plaintexts: entries(3), keyId: "key-rsa2048", changeDetection: "trigger", triggers: { "secret-0": "a", "secret-1": "a", "secret-2": "a" } };
    const name = "triggered";
    const keys = Object.keys(maps.triggered.plaintexts);
    await d.nextCommand();
    await d.values.up(name, maps.triggered);
    assert.equal(inputs(name).plaintextDigests, undefined, "no digest in trigger mode");
    const plaintexts = { ...maps.triggered.plaintexts, [keys[0]!]: marker("silently-changed") };
    await d.nextCommand();
    assert.equal((await d.values.up(name, { ...maps.triggered, plaintexts })).op, "same", "a plaintext change alone is not seen");
    await d.nextCommand();
    d.emulator.resetStats();
    const triggers = { ...(maps.triggered.triggers as Entries), [keys[1]!]: "b" };
    assert.equal((await d.values.up(name, { ...maps.triggered, plaintexts, triggers })).op, "update");
    assert.equal(encryptCalls(d.emulator), 1);
  });

  it("bad input is named by entry, never by value; nothing is encrypted", async () => {
    const secret = marker("never-printed");
    seen.push(secret);
    await d.nextCommand();
    const cases: [Props, RegExp][] = [
      [{ plaintexts: { ok: secret, long: `${secret}${"y".repeat(300)}` }, keyId: "key-rsa2048" },
        /^plaintexts\.long is \d+ bytes; RSA_2048 with RSAES_OAEP_SHA_256 encrypts at most 190/],
      [{ plaintexts: { ok: secret, empty: "" }, keyId: "key-rsa2048" }, /^plaintexts\.empty is empty/],
      [{ plaintexts: { __proto__x: secret }, keyId: "key-rsa2048" }, /the entry name '__proto__x' is not valid/],
      [{ plaintexts: {}, keyId: "key-rsa2048" }, /plaintexts must be a map of one or more entries/],
      [{ plaintexts: { a: secret }, keyId: "key-rsa2048", changeDetection: "trigger", triggers: { b: "1" } },
        /triggers names entries that plaintexts does not have: 'b'|needs a trigger for every entry; triggers has none for a/],
      [{ plaintexts: { a: secret }, keyId: "key-rsa2048", plaintext: "x" }, /unknown property plaintext; did you mean plaintexts\?|unknown property plaintext; EncryptedValues takes/],
      [{ plaintexts: { a: secret }, keyId: "key-nope" }, /keyId 'key-nope': Forbidden\.KeyNotFound/],
    ];
    d.emulator.resetStats();
    for (const [program, expected] of cases) {
      const step = await d.values.up(`bad-${cases.findIndex((c) => c[0] === program)}`, program);
      assert.equal(step.op, "failed");
      const reasons = step.op === "failed" ? step.failures.map((f) => f.reason) : [];
      assert.ok(reasons.some((r) => expected.test(r)), `${expected}: ${JSON.stringify(reasons)}`);
    }
    assert.equal(encryptCalls(d.emulator), 0);
  });

  it("no plaintext in any form in any response, state or output of any host", () => {
    const everything = [d.transcript(), JSON.stringify([...d.values.state.values()])].join("\n");
    for (const plaintext of seen) {
      for (const form of secretForms(Buffer.from(plaintext))) assert.equal(everything.includes(form), false, "a plaintext was found");
    }
    for (const [name, resource] of d.values.state) {
      const digests = JSON.stringify(resource.inputs.plaintextDigests ?? null);
      if (resource.inputs.changeDetection === "digest") assert.match(digests, /4dabf18193072939515e22adb298388d/, `${name}: digests stored as a secret`);
      for (const field of ["plaintextDigests", "triggers", "plaintexts"]) assert.equal(field in resource.outputs, false, `${name}: no ${field} among the outputs`);
    }
  });
});
