import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { entryMaps, envelopeOfOutputs, type StoredMap, type TargetOutputs } from "../../provider/toolkit";
import { decrypt } from "../../sdk/decrypt";
import { DecryptError } from "../../sdk/open-value";
import { outputsTag, valueTag } from "../../provider/crypto/integrity-tag";
import { encryptValue } from "../../provider/crypto/encrypt-value";
import { formatEnvelope, parseEnvelope } from "../../provider/crypto/envelope-format";
import { LocallyEncryptingKmsService } from "../../provider/kms/locally-encrypting-kms-service";
import { KmsServices } from "../../provider/kms/kms-services";
import { resolveSettings } from "../../provider/kms/settings";
import { applicationEnv } from "../support/application-env";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "./fixtures";

// Item 3 of the third security review: state was trusted, so whoever can write the backend (without
// the stack's secrets, with only the public key) could swap two values' ciphertexts, or put in one
// of their own plaintext, and up and refresh said "unchanged". Each value's stored ciphertexts are
// now under an integrity tag (a secret, keyed from the stack's integrity key), checked by diff under
// the program's key and by refresh under the stored one; envelopes bind their scope (the value's
// name, the entry's) and decrypt()'s expectScope refuses any other.

type Props = Record<string, unknown>;

describe("state that was edited outside Pulumi", () => {
  let d: Deployment;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);
  /** A KMS client as an application (or an attacker with credentials of their own) would make one. */
  const services = () => new KmsServices(resolveSettings(() => undefined, env()));
  const out = (name: string) => d.stack.state.get(name)!.outputs;
  const plain = (v: unknown) => (typeof v === "object" && v !== null && "value" in v ? (v as { value: unknown }).value : v);
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return "opened";
    } catch (e) {
      assert.ok(e instanceof DecryptError, String(e));
      return e.code;
    }
  };
  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("two values' ciphertexts swapped: refresh reports both, up re-encrypts both, each then opens to its own", async () => {
    for (const name of ["first", "second"]) await d.stack.up(name, { plaintext: `${name}-secret`, keyId: "key-rsa2048" });
    const [a, b] = [out("first"), out("second")];
    [a.ciphertextBlob, b.ciphertextBlob, a.envelope, b.envelope] = [b.ciphertextBlob, a.ciphertextBlob, b.envelope, a.envelope];
    await d.nextCommand();
    for (const name of ["first", "second"]) {
      const refreshed = await d.stack.refresh(name);
      assert.match(String(refreshed.staleReason), /^its outputs do not match their integrity tag \(the state was edited outside Pulumi\)/);
    }
    await d.nextCommand();
    for (const name of ["first", "second"]) {
      assert.equal((await d.stack.up(name, { plaintext: `${name}-secret`, keyId: "key-rsa2048" })).op, "update", name);
      assert.equal((await decrypt(envelopeOfOutputs(out(name)), { env: env() })).toString(), `${name}-secret`);
      // A direct value has nothing to bind a scope in: the tag in state is what protects it.
      assert.equal(await code(decrypt(envelopeOfOutputs(out(name)), { env: env(), expectScope: { value: name } })), "ScopeMismatch");
    }
    await d.nextCommand();
    assert.equal((await d.stack.up("first", { plaintext: "first-secret", keyId: "key-rsa2048" })).op, "same");
  });

  it("a whole value copied over another, tags and keys included, or retagged under a key of the attacker's: up re-encrypts", async () => {
    await d.stack.up("victim", { plaintext: "victim-secret", keyId: "key-rsa2048", envelope: true });
    await d.stack.up("donor", { plaintext: "attacker-chosen", keyId: "key-rsa2048", envelope: true });
    const victim = d.stack.state.get("victim")!;
    const original = { ...victim.outputs };
    // Everything of the donor's outputs: its tag verifies under its own stored key, so refresh cannot tell.
    victim.outputs = { ...out("donor") };
    await d.nextCommand();
    assert.equal((await d.stack.refresh("victim")).staleReason, "", "refresh has only the stored key to check with");
    assert.equal((await d.stack.preview("victim", { plaintext: "victim-secret", keyId: "key-rsa2048", envelope: true })).op, "update",
      "diff checks under the key the program's stack key gives");
    // The attacker's own key, in clear, and a tag made with it.
    const attackerKey = Buffer.alloc(32, 9).toString("base64url");
    const forged: Props = { ...original, envelope: out("donor").envelope, ciphertextBlob: out("donor").ciphertextBlob, integrityKey: attackerKey };
    // The attacker cannot know the digest a value tag covers; the outputs tag they can make.
    forged.integrityTag = valueTag(attackerKey, "", "digest:guessed", {});
    const { staleReason: _s, integrityKey: _k, outputsTag: _o, __provider: _p, ...covered } = Object.fromEntries(
      Object.entries(forged).map(([k, v]) => [k, plain(v)]));
    forged.outputsTag = outputsTag(attackerKey, covered);
    victim.outputs = forged;
    await d.nextCommand();
    assert.equal((await d.stack.refresh("victim")).staleReason, "", "refresh checks under the stored key: the attacker's own verifies");
    await d.nextCommand();
    assert.equal((await d.stack.up("victim", { plaintext: "victim-secret", keyId: "key-rsa2048", envelope: true })).op, "update");
    assert.equal((await decrypt(envelopeOfOutputs(out("victim")), { env: env(), expectScope: { value: "victim" } })).toString(), "victim-secret");
  });

  it("an envelope made with the public key alone, put in state: refused by expectScope, re-encrypted by up", async () => {
    await d.stack.up("token", { plaintext: "the-real-token", keyId: "key-rsa2048", envelope: true });
    const publicOnly = new LocallyEncryptingKmsService(services().directIn(d.emulator.region));
    const forged = await encryptValue(publicOnly, { target: { keyId: "key-rsa2048", keyVersionId: String(out("token").keyVersionId) },
      algorithm: "RSAES_OAEP_SHA_256", region: d.emulator.region }, Buffer.from("attacker-chosen"), true, { value: "token" });
    // Even claiming the right scope (anyone can write that into their own envelope), the tag in state does not match.
    out("token").envelope = formatEnvelope(forged.envelope);
    out("token").ciphertextBlob = forged.ciphertextBlob;
    await d.nextCommand();
    assert.match(String((await d.stack.refresh("token")).staleReason), /^its outputs do not match their integrity tag/);
    assert.equal((await d.stack.up("token", { plaintext: "the-real-token", keyId: "key-rsa2048", envelope: true })).op, "update");
    assert.equal((await decrypt(envelopeOfOutputs(out("token")), { env: env(), expectScope: { value: "token" } })).toString(), "the-real-token");
  });

  it("a direct value's state keeps no envelope (its ciphertext and target give it back); one written in is caught by its tags", async () => {
    await d.stack.up("direct", { plaintext: "the-real-direct", keyId: "key-rsa2048" });
    assert.equal(out("direct").envelope, "", "state keeps the ciphertext once");
    assert.equal((await decrypt(envelopeOfOutputs(out("direct")), { env: env() })).toString(), "the-real-direct");
    // The SDK takes an envelope state holds as it is: with the public key alone, one of the attacker's own, written in.
    const publicOnly = new LocallyEncryptingKmsService(services().directIn(d.emulator.region));
    const forged = await encryptValue(publicOnly, { target: { keyId: "key-rsa2048", keyVersionId: String(out("direct").keyVersionId) },
      algorithm: "RSAES_OAEP_SHA_256", region: d.emulator.region }, Buffer.from("attacker-chosen"), false);
    out("direct").envelope = formatEnvelope(forged.envelope);
    assert.equal((await decrypt(envelopeOfOutputs(out("direct")), { env: env() })).toString(), "attacker-chosen", "what a reader would get");
    // Up's diff, with no refresh before it: the value tag covers every output, so one added fails it.
    await d.nextCommand();
    assert.equal((await d.stack.up("direct", { plaintext: "the-real-direct", keyId: "key-rsa2048" })).op, "update");
    assert.equal(out("direct").envelope, "", "the re-encrypted value keeps none again");
    assert.equal((await decrypt(envelopeOfOutputs(out("direct")), { env: env() })).toString(), "the-real-direct");
    // Refresh, under the key state holds: the outputs tag.
    out("direct").envelope = formatEnvelope(forged.envelope);
    await d.nextCommand();
    assert.match(String((await d.stack.refresh("direct")).staleReason), /^its outputs do not match their integrity tag/);
  });

  it("EncryptedValues keeps each entry once; the other map, filled in by hand (either one), is caught by its tags", async () => {
    const plaintexts = { alpha: "alpha-secret", beta: "beta-secret" };
    const maps = (name: string) => {
      const o = d.values.state.get(name)!.outputs;
      return entryMaps(plain(o.ciphertexts) as StoredMap, plain(o.envelopes) as StoredMap, o as unknown as TargetOutputs);
    };
    const publicOnly = new LocallyEncryptingKmsService(services().directIn(d.emulator.region));
    for (const [name, envelope, derived] of [["direct-map", false, "envelopes"], ["enveloped-map", true, "ciphertexts"]] as const) {
      const program = { plaintexts, keyId: "key-rsa2048", envelope };
      // A direct entry binds no scope; an envelope binds its value's name and its entry's.
      const opening = envelope ? { env: env(), expectScope: { value: name, entry: "alpha" } } : { env: env() };
      await d.values.up(name, program);
      const o = d.values.state.get(name)!.outputs;
      // Present, so a preview of a map that stays shows both maps known (an output state lacks previews unknown).
      assert.equal(o[derived], "", `${name}: state keeps no ${derived}`);
      assert.equal((await decrypt(maps(name).envelopes.alpha!, opening)).toString(), "alpha-secret", name);
      // With the public key alone, the attacker's own alpha, claiming alpha's scope, written where the marker was.
      const forged = await encryptValue(publicOnly, { target: { keyId: "key-rsa2048", keyVersionId: String(o.keyVersionId) },
        algorithm: "RSAES_OAEP_SHA_256", region: d.emulator.region }, Buffer.from("attacker-chosen"), envelope, { value: name, entry: "alpha" });
      const real = maps(name);
      o[derived] = derived === "envelopes" ? { ...real.envelopes, alpha: formatEnvelope(forged.envelope) } : { ...real.ciphertexts, alpha: forged.ciphertextBlob };
      const read = maps(name);
      if (derived === "envelopes") {
        assert.equal((await decrypt(read.envelopes.alpha!, { env: env() })).toString(), "attacker-chosen", `${name}: what a reader would get`);
      } else {
        assert.equal(read.ciphertexts.alpha, forged.ciphertextBlob, `${name}: what a reader of the bare ciphertext would get`);
      }
      // Up's diff, with no refresh before it: the tags cover the marker, so a map in its place fails them.
      await d.nextCommand();
      assert.equal((await d.values.up(name, program)).op, "update", name);
      assert.equal(d.values.state.get(name)!.outputs[derived], "", `${name}: the marker again`);
      assert.equal((await decrypt(maps(name).envelopes.alpha!, opening)).toString(), "alpha-secret", name);
      // Refresh, under the key state holds: the outputs tag.
      d.values.state.get(name)!.outputs[derived] = { alpha: forged.ciphertextBlob };
      await d.nextCommand();
      assert.match(String((await d.values.refresh(name)).staleReason), /^its outputs do not match their integrity tag/, name);
    }
  });

  it("an envelope's scope edited: its AES-GCM tag fails, so the claim cannot be changed", async () => {
    await d.stack.up("scoped", { plaintext: "scoped-secret", keyId: "key-rsa2048", envelope: true });
    const json = JSON.parse(Buffer.from(envelopeOfOutputs(out("scoped")), "base64").toString()) as Props;
    const claimed = Buffer.from(JSON.stringify({ ...json, scope: { value: "elsewhere" } })).toString("base64");
    assert.equal(await code(decrypt(claimed, { env: env(), expectScope: { value: "elsewhere" } })), "EnvelopeIntegrity");
    assert.equal(await code(decrypt(envelopeOfOutputs(out("scoped")), { env: env(), expectScope: { value: "elsewhere" } })), "ScopeMismatch");
    assert.equal(await code(decrypt(envelopeOfOutputs(out("scoped")), { env: env(), expectScope: { value: "scoped", entry: "x" } })), "ScopeMismatch");
  });

  it("EncryptedValues entries swapped: diff names them, up re-encrypts those two only, the rest stay byte for byte", async () => {
    const plaintexts = { alpha: "alpha-secret", beta: "beta-secret", gamma: "gamma-secret" };
    await d.values.up("map", { plaintexts, keyId: "key-sm2" });
    const o = d.values.state.get("map")!.outputs;
    const stored = plain(o.ciphertexts) as Record<string, string>;
    const gamma = stored.gamma;
    [stored.alpha, stored.beta] = [stored.beta!, stored.alpha!];
    await d.nextCommand();
    assert.match(String((await d.values.refresh("map")).staleReason), /^its outputs do not match their integrity tag/);
    // Back to what it was before refresh, to see what up alone does.
    d.values.state.get("map")!.outputs.staleReason = "";
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.values.up("map", { plaintexts, keyId: "key-sm2" })).op, "update");
    assert.equal(encryptCalls(d.emulator), 2);
    const now = plain(d.values.state.get("map")!.outputs.ciphertexts) as Record<string, string>;
    assert.equal(now.gamma, gamma);
    const t = d.values.state.get("map")!.outputs;
    for (const [entry, text] of Object.entries(plaintexts)) {
      const opened = await decrypt({ ciphertextBlob: now[entry]!, keyId: String(t.keyId), keyVersionId: String(t.keyVersionId), algorithm: "SM2PKE" },
        { env: env() });
      assert.equal(opened.toString(), text, entry);
    }
  });

  // Security round 4, item 6: an entry name in state is the writer's choice; printed raw in the
  // integrity sentence, ESC, CR or an OSC 8 hyperlink would rewrite the operator's terminal. Refresh
  // names no entry (the outputs tag is the resource's), and up names only the program's entries.
  it("an entry renamed in state to hold terminal escapes never reaches a message raw; up re-encrypts the entry", async () => {
    await d.values.up("escapes", { plaintexts: { alpha: "alpha-secret" }, keyId: "key-sm2" });
    const o = d.values.state.get("escapes")!.outputs;
    const stored = plain(o.ciphertexts) as Record<string, string>;
    const hostile = "x\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\r";
    stored[hostile] = stored.alpha!;
    delete stored.alpha;
    await d.nextCommand();
    const stale = String((await d.values.refresh("escapes")).staleReason);
    assert.match(stale, /^its outputs do not match their integrity tag/);
    assert.doesNotMatch(stale, /[\u0000-\u001f\u007f]/, "no control character in staleReason");
    d.values.state.get("escapes")!.outputs.staleReason = "";
    await d.nextCommand();
    // Up's reason (the engine's log line) is worded by the same naming, under the program's key.
    assert.equal((await d.values.up("escapes", { plaintexts: { alpha: "alpha-secret" }, keyId: "key-sm2" })).op, "update");
  });

  // Security round 4, item 2: 0.2's tag covered the stored strings only, so an older ciphertext of the
  // value's own, with its older tag, passed up and refresh; the application then decrypted a password
  // that had been rotated out. The value tag now covers the revision, every output and the program's
  // mark (digest or trigger); the outputs tag, which refresh checks, every output.
  for (const mode of ["digest", "trigger"] as const) {
    it(`a value rolled back to an older state of its own (${mode} mode): refresh or up notices, up encrypts the current plaintext`, async () => {
      const name = `rolled-${mode}`;
      const program = (n: number) => ({ plaintext: `${name}-password-${n}`, keyId: "key-rsa2048",
        ...(mode === "trigger" ? { changeDetection: "trigger", trigger: `rotation-${n}` } : {}) });
      await d.stack.up(name, program(1));
      const first = structuredClone(d.stack.state.get(name)!);
      await d.nextCommand();
      assert.equal((await d.stack.up(name, program(2))).op, "update");
      const second = structuredClone(d.stack.state.get(name)!);
      assert.equal(plain(second.outputs.plaintextRevision), 2);
      const opened = async () => (await decrypt(envelopeOfOutputs(out(name)), { env: env() })).toString();
      const rollBack = async (outputs: Props, inputs: Props, refreshed: RegExp | "") => {
        d.stack.state.set(name, { ...second, inputs, outputs });
        assert.equal(await opened(), `${name}-password-1`, "the threat: state now holds the rotated-out password");
        await d.nextCommand();
        const stale = String((await d.stack.refresh(name)).staleReason);
        if (refreshed === "") assert.equal(stale, "", "refresh runs no program: a whole older state of its own is consistent");
        else assert.match(stale, refreshed);
        d.stack.state.set(name, { ...second, inputs, outputs: { ...d.stack.state.get(name)!.outputs, staleReason: "" } });
        await d.nextCommand();
        assert.equal((await d.stack.up(name, program(2))).op, "update");
        assert.equal(await opened(), `${name}-password-2`);
        // The revision is what the inputs say (2, unless they were rolled back too): what the next check compares.
        assert.equal(plain(out(name).plaintextRevision), plain(d.stack.state.get(name)!.inputs.plaintextRevision));
        await d.nextCommand();
        assert.equal((await d.stack.up(name, program(2))).op, "same");
      };
      // The older ciphertext and tag, the current revision kept (the review's attack).
      const { ciphertextBlob, envelope, integrityTag } = first.outputs;
      const older = { ciphertextBlob, envelope, integrityTag };
      await rollBack({ ...second.outputs, ...older }, second.inputs, /^its outputs do not match their integrity tag/);
      // ... with the older outputs tag too.
      await rollBack({ ...second.outputs, ...older, outputsTag: first.outputs.outputsTag }, second.inputs, /^its outputs do not match/);
      // Every older output, and the revision among the inputs rolled back with them (the digest or trigger kept).
      await rollBack(first.outputs, { ...second.inputs, plaintextRevision: first.inputs.plaintextRevision }, "");
      // The whole resource as it was: the program's digest or trigger differs from the stored one.
      await rollBack(first.outputs, first.inputs, "");
    });
  }

  it("an output edited in state (region, an asymmetric value's plaintextEncoding, the revision): reported, written back by up",
    async () => {
      await d.stack.up("edited", { plaintext: "edited-secret", keyId: "key-rsa2048" });
      const original = structuredClone(d.stack.state.get("edited")!);
      for (const edit of [{ region: "cn-shanghai" }, { plaintextEncoding: "text" }, { plaintextRevision: 7 }, { keySpec: "RSA_3072" }]) {
        d.stack.state.set("edited", { ...original, outputs: { ...original.outputs, ...edit } });
        await d.nextCommand();
        assert.match(String((await d.stack.refresh("edited")).staleReason), /^its outputs do not match their integrity tag/, JSON.stringify(edit));
        d.stack.state.set("edited", { ...original, outputs: { ...original.outputs, ...edit } });
        await d.nextCommand();
        assert.equal((await d.stack.up("edited", { plaintext: "edited-secret", keyId: "key-rsa2048" })).op, "update", JSON.stringify(edit));
        for (const field of Object.keys(edit)) assert.deepEqual(plain(out("edited")[field]), plain(original.outputs[field]), field);
      }
    });

  it("EncryptedValues: one entry rolled back (with its revision) or an entry added to the stored map: up puts back only that", async () => {
    const program = (db: string) => ({ plaintexts: { db, api: "api-secret-1" }, keyId: "key-sm2" });
    await d.values.up("rolled-map", program("db-secret-1"));
    const first = structuredClone(d.values.state.get("rolled-map")!);
    await d.nextCommand();
    assert.equal((await d.values.up("rolled-map", program("db-secret-2"))).op, "update");
    const second = structuredClone(d.values.state.get("rolled-map")!);
    const stored = (state: typeof first) => plain(state.outputs.ciphertexts) as Record<string, string>;
    const opened = async (entry: string) => {
      const o = d.values.state.get("rolled-map")!.outputs;
      return (await decrypt({ ciphertextBlob: stored(d.values.state.get("rolled-map")!)[entry]!, keyId: String(plain(o.keyId)),
        keyVersionId: String(plain(o.keyVersionId)), algorithm: "SM2PKE" }, { env: env() })).toString();
    };
    // Every older output but api's ciphertext untouched, and the revisions among the inputs rolled back too.
    d.values.state.set("rolled-map", { ...second, outputs: first.outputs,
      inputs: { ...second.inputs, plaintextRevisions: first.inputs.plaintextRevisions } });
    assert.equal(await opened("db"), "db-secret-1", "the threat");
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.values.up("rolled-map", program("db-secret-2"))).op, "update");
    assert.equal(encryptCalls(d.emulator), 1, "db only");
    assert.equal(await opened("db"), "db-secret-2");
    assert.equal(stored(d.values.state.get("rolled-map")!).api, stored(second).api, "api stays byte for byte");

    // An entry only the stored map has (no revision, no tag): not the program's, so removed.
    const now = structuredClone(d.values.state.get("rolled-map")!);
    d.values.state.set("rolled-map", { ...now, outputs: { ...now.outputs, ciphertexts: { ...stored(now), extra: stored(now).db! } } });
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.values.up("rolled-map", program("db-secret-2"))).op, "update");
    assert.equal(encryptCalls(d.emulator), 0);
    assert.deepEqual(Object.keys(stored(d.values.state.get("rolled-map")!)).sort(), ["api", "db"]);
    await d.nextCommand();
    assert.equal((await d.values.up("rolled-map", program("db-secret-2"))).op, "same");
  });

  it("0.2's tags (no outputs tag) are moved to this version's once; an older ciphertext under them is no way back", async () => {
    await d.stack.up("from-0.2", { plaintext: "current-secret", keyId: "key-rsa2048" });
    await d.nextCommand();
    const older = structuredClone(d.stack.state.get("from-0.2")!);
    await d.stack.up("from-0.2", { plaintext: "newer-secret", keyId: "key-rsa2048" });
    const r = d.stack.state.get("from-0.2")!;
    // As 0.2 left it, rolled back to the older ciphertext: its version 1 tag (here any tag) and no outputs tag.
    const { outputsTag: _o, ...as02 }: Props = { ...r.outputs, ciphertextBlob: older.outputs.ciphertextBlob,
      envelope: older.outputs.envelope, integrityTag: older.outputs.integrityTag };
    d.stack.state.set("from-0.2", { ...r, outputs: as02 });
    await d.nextCommand();
    assert.match(String((await d.stack.refresh("from-0.2")).staleReason), /^its state has the integrity tags of 0\.2/);
    d.stack.state.set("from-0.2", { ...r, outputs: as02 });
    await d.nextCommand();
    assert.equal((await d.stack.up("from-0.2", { plaintext: "newer-secret", keyId: "key-rsa2048" })).op, "update");
    assert.equal((await decrypt(envelopeOfOutputs(out("from-0.2")), { env: env() })).toString(), "newer-secret");
    assert.equal(typeof out("from-0.2").outputsTag, "string");
    await d.nextCommand();
    assert.equal((await d.stack.up("from-0.2", { plaintext: "newer-secret", keyId: "key-rsa2048" })).op, "same");
  });

  it("state from before 0.2 (no tags, envelopes without a scope) re-encrypts once, and then stays", async () => {
    await d.stack.up("legacy", { plaintext: "legacy-secret", keyId: "key-rsa2048", envelope: true });
    const r = d.stack.state.get("legacy")!;
    // What 0.1 wrote: no integrity key or tag, and an envelope with no scope.
    const unscoped = await encryptValue(services().in(d.emulator.region, false), { target: { keyId: "key-rsa2048", keyVersionId: String(r.outputs.keyVersionId) },
      algorithm: "RSAES_OAEP_SHA_256", region: d.emulator.region }, Buffer.from("legacy-secret"), true);
    const { integrityKey: _k, integrityTag: _t, ...outputs } = r.outputs;
    const { integrityKey: _i, ...inputs } = r.inputs;
    d.stack.state.set("legacy", { ...r, inputs, outputs: { ...outputs, envelope: formatEnvelope(unscoped.envelope), ciphertextBlob: unscoped.ciphertextBlob } });
    assert.equal(parseEnvelope(envelopeOfOutputs(d.stack.state.get("legacy")!.outputs)).scope, undefined);
    // Applications keep opening it, except one that asks for a scope.
    assert.equal((await decrypt(envelopeOfOutputs(d.stack.state.get("legacy")!.outputs), { env: env() })).toString(), "legacy-secret");
    assert.equal(await code(decrypt(envelopeOfOutputs(d.stack.state.get("legacy")!.outputs), { env: env(), expectScope: { value: "legacy" } })),
      "ScopeMismatch");
    await d.nextCommand();
    assert.equal((await d.stack.up("legacy", { plaintext: "legacy-secret", keyId: "key-rsa2048", envelope: true })).op, "update");
    assert.deepEqual(parseEnvelope(envelopeOfOutputs(out("legacy"))).scope, { value: "legacy" });
    assert.equal((await decrypt(envelopeOfOutputs(out("legacy")), { env: env(), expectScope: { value: "legacy" } })).toString(), "legacy-secret");
    await d.nextCommand();
    assert.equal((await d.stack.up("legacy", { plaintext: "legacy-secret", keyId: "key-rsa2048", envelope: true })).op, "same");
  });

  it("bindScope: a bare symmetric ciphertext binds its name as context; asymmetric direct values and maps are refused at preview", async () => {
    await d.stack.up("bound", { plaintext: "bound-secret", keyId: "key-aes", bindScope: true });
    const o = out("bound");
    assert.deepEqual(plain(o.encryptionContext), { "pulumi:value": "bound" });
    const bare = { ciphertextBlob: String(o.ciphertextBlob), keyId: "key-aes", algorithm: "SYMMETRIC_DEFAULT" as const };
    const withContext = { ...bare, encryptionContext: { "pulumi:value": "bound" } };
    assert.equal((await decrypt(withContext, { env: env(), expectScope: { value: "bound" } })).toString(), "bound-secret");
    assert.equal(await code(decrypt(withContext, { env: env(), expectScope: { value: "other" } })), "ScopeMismatch");
    assert.equal(await code(decrypt(bare, { env: env() })), "InvalidCiphertext", "KMS itself refuses it without the context");
    assert.equal((await decrypt(envelopeOfOutputs(o), { env: env(), expectScope: { value: "bound" } })).toString(), "bound-secret");

    const refusedRsa = await d.stack.preview("rsa-bound", { plaintext: "x-secret-value", keyId: "key-rsa2048", bindScope: true });
    assert.equal(refusedRsa.op, "failed");
    assert.match(refusedRsa.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"), /^bindScope: bindScope: a value a RSA_2048 key encrypts directly cannot bind a scope .*set envelope: true/m);
    const refusedMap = await d.values.preview("map-bound", { plaintexts: { a: "a-secret-value" }, keyId: "key-aes", bindScope: true });
    assert.equal(refusedMap.op, "failed");
    assert.match(refusedMap.failures.map((f) => f.reason).join("\n"), /set envelope: true \(every envelope binds its entry's scope\)/);
    assert.equal((await d.values.preview("map-bound", { plaintexts: { a: "a-secret-value" }, keyId: "key-aes", bindScope: true, envelope: true })).op, "create");
  });
});
