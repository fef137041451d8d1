import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { DecryptError } from "../../sdk/open-value";
import { integrityTag } from "../../provider/crypto/integrity-tag";
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
      assert.match(String(refreshed.staleReason), /^the stored ciphertext does not match its integrity tag \(the state was edited outside Pulumi\)/);
    }
    await d.nextCommand();
    for (const name of ["first", "second"]) {
      assert.equal((await d.stack.up(name, { plaintext: `${name}-secret`, keyId: "key-rsa2048" })).op, "update", name);
      assert.equal((await decrypt(String(out(name).envelope), { env: env() })).toString(), `${name}-secret`);
      // A direct value has nothing to bind a scope in: the tag in state is what protects it.
      assert.equal(await code(decrypt(String(out(name).envelope), { env: env(), expectScope: { value: name } })), "ScopeMismatch");
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
    victim.outputs = { ...original, envelope: out("donor").envelope, ciphertextBlob: out("donor").ciphertextBlob, integrityKey: attackerKey,
      integrityTag: integrityTag(attackerKey, "", [String(plain(out("donor").ciphertextBlob)), String(plain(out("donor").envelope))]) };
    await d.nextCommand();
    assert.equal((await d.stack.up("victim", { plaintext: "victim-secret", keyId: "key-rsa2048", envelope: true })).op, "update");
    assert.equal((await decrypt(String(out("victim").envelope), { env: env(), expectScope: { value: "victim" } })).toString(), "victim-secret");
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
    assert.match(String((await d.stack.refresh("token")).staleReason), /does not match its integrity tag/);
    assert.equal((await d.stack.up("token", { plaintext: "the-real-token", keyId: "key-rsa2048", envelope: true })).op, "update");
    assert.equal((await decrypt(String(out("token").envelope), { env: env(), expectScope: { value: "token" } })).toString(), "the-real-token");
  });

  it("an envelope's scope edited: its AES-GCM tag fails, so the claim cannot be changed", async () => {
    await d.stack.up("scoped", { plaintext: "scoped-secret", keyId: "key-rsa2048", envelope: true });
    const json = JSON.parse(Buffer.from(String(out("scoped").envelope), "base64").toString()) as Props;
    const claimed = Buffer.from(JSON.stringify({ ...json, scope: { value: "elsewhere" } })).toString("base64");
    assert.equal(await code(decrypt(claimed, { env: env(), expectScope: { value: "elsewhere" } })), "EnvelopeIntegrity");
    assert.equal(await code(decrypt(String(out("scoped").envelope), { env: env(), expectScope: { value: "elsewhere" } })), "ScopeMismatch");
    assert.equal(await code(decrypt(String(out("scoped").envelope), { env: env(), expectScope: { value: "scoped", entry: "x" } })), "ScopeMismatch");
  });

  it("EncryptedValues entries swapped: diff names them, up re-encrypts those two only, the rest stay byte for byte", async () => {
    const plaintexts = { alpha: "alpha-secret", beta: "beta-secret", gamma: "gamma-secret" };
    await d.values.up("map", { plaintexts, keyId: "key-sm2" });
    const o = d.values.state.get("map")!.outputs;
    const stored = plain(o.ciphertexts) as Record<string, string>;
    const gamma = stored.gamma;
    [stored.alpha, stored.beta] = [stored.beta!, stored.alpha!];
    await d.nextCommand();
    assert.match(String((await d.values.refresh("map")).staleReason), /^the stored ciphertext of entry alpha, entry beta does not match its integrity tag/);
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
  // integrity sentence, ESC, CR or an OSC 8 hyperlink would rewrite the operator's terminal.
  it("an entry renamed in state to hold terminal escapes is named escaped, never raw; up re-encrypts the map", async () => {
    await d.values.up("escapes", { plaintexts: { alpha: "alpha-secret" }, keyId: "key-sm2" });
    const o = d.values.state.get("escapes")!.outputs;
    const stored = plain(o.ciphertexts) as Record<string, string>;
    const hostile = "x\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\r";
    stored[hostile] = stored.alpha!;
    delete stored.alpha;
    await d.nextCommand();
    const stale = String((await d.values.refresh("escapes")).staleReason);
    assert.match(stale, /the stored ciphertext of entry 'x\\u\{1b\}\]8;;https:\/\/evil\.example\\u\{7\}click/);
    assert.doesNotMatch(stale, /[\u0000-\u001f\u007f]/, "no control character in staleReason");
    d.values.state.get("escapes")!.outputs.staleReason = "";
    await d.nextCommand();
    // Up's reason (the engine's log line) is worded by the same naming, under the program's key.
    assert.equal((await d.values.up("escapes", { plaintexts: { alpha: "alpha-secret" }, keyId: "key-sm2" })).op, "update");
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
    assert.equal(parseEnvelope(String(d.stack.state.get("legacy")!.outputs.envelope)).scope, undefined);
    // Applications keep opening it, except one that asks for a scope.
    assert.equal((await decrypt(String(d.stack.state.get("legacy")!.outputs.envelope), { env: env() })).toString(), "legacy-secret");
    assert.equal(await code(decrypt(String(d.stack.state.get("legacy")!.outputs.envelope), { env: env(), expectScope: { value: "legacy" } })),
      "ScopeMismatch");
    await d.nextCommand();
    assert.equal((await d.stack.up("legacy", { plaintext: "legacy-secret", keyId: "key-rsa2048", envelope: true })).op, "update");
    assert.deepEqual(parseEnvelope(String(out("legacy").envelope)).scope, { value: "legacy" });
    assert.equal((await decrypt(String(out("legacy").envelope), { env: env(), expectScope: { value: "legacy" } })).toString(), "legacy-secret");
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
    assert.equal((await decrypt(String(o.envelope), { env: env(), expectScope: { value: "bound" } })).toString(), "bound-secret");

    const refusedRsa = await d.stack.preview("rsa-bound", { plaintext: "x-secret-value", keyId: "key-rsa2048", bindScope: true });
    assert.equal(refusedRsa.op, "failed");
    assert.match(refusedRsa.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"), /^bindScope: bindScope: a value a RSA_2048 key encrypts directly cannot bind a scope .*set envelope: true/m);
    const refusedMap = await d.values.preview("map-bound", { plaintexts: { a: "a-secret-value" }, keyId: "key-aes", bindScope: true });
    assert.equal(refusedMap.op, "failed");
    assert.match(refusedMap.failures.map((f) => f.reason).join("\n"), /set envelope: true \(every envelope binds its entry's scope\)/);
    assert.equal((await d.values.preview("map-bound", { plaintexts: { a: "a-secret-value" }, keyId: "key-aes", bindScope: true, envelope: true })).op, "create");
  });
});
