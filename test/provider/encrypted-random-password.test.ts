import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE, ENCRYPTED_RANDOM_PASSWORD_TYPE } from "../../sdk/provider-module-source";
import { LOWER, NUMERIC, SPECIAL, UPPER } from "../../provider/crypto/random-password";
import { Stack } from "../support/engine-steps";
import { call, officialClient } from "../support/kms-client";
import { secretForms } from "../support/secret-forms";
import { applicationEnv } from "../support/application-env";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls, seed } from "./fixtures";

// EncryptedRandomPassword through the dynamic provider host, against the emulator: a password drawn
// by the provider, encrypted at once, and in no form in state; the policy refused at preview; a
// rotation that keeps the password (ReEncrypt for a symmetric key, the password never in this
// process; decrypt and encrypt again for an asymmetric one); keepers drawing a new one; a ciphertext
// swapped in state never carried over.

type Props = Record<string, unknown>;

describe("EncryptedRandomPassword through the provider", () => {
  let d: Deployment;
  let passwords: Stack;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);
  const out = (name: string) => passwords.state.get(name)!.outputs;
  const plain = (v: unknown) => (typeof v === "object" && v !== null && "value" in v ? (v as { value: unknown }).value : v);
  /** The password as kmsEncryptedPassword would get it: the official SDK's Decrypt of ciphertextBlob. */
  const viaKms = async (name: string) => String((await call(officialClient(d.emulator), "Decrypt", {
    CiphertextBlob: String(out(name).ciphertextBlob),
    ...(Object.keys(plain(out(name).encryptionContext) as object).length > 0
      ? { EncryptionContext: JSON.stringify(plain(out(name).encryptionContext)) } : {}),
  })).Plaintext);
  const opened = async (name: string) => (await decrypt(String(out(name).envelope), { env: env() })).toString();
  /** The calls the emulator served for real (DryRuns left out). */
  type Counts = Record<string, number>;
  const calls = (): Record<string, number | undefined> => {
    const { calls: all, dryRunCalls } = d.emulator.stats() as { calls: Counts; dryRunCalls: Counts };
    return Object.fromEntries(Object.entries(all).map(([a, n]) => [a, n - (dryRunCalls[a] ?? 0)]));
  };
  /** Nothing of the password in the resource's state, in any of its spellings. */
  const assertNotStored = (name: string, password: string) => {
    const stored = JSON.stringify(passwords.state.get(name));
    for (const form of secretForms(password)) assert.equal(stored.includes(form), false, `${name}: the password is in state`);
    assert.equal(JSON.stringify(d.transcript()).includes(password), false, `${name}: the password reached a response or log`);
  };
  type Minimums = { length: number; minLower?: number; minUpper?: number; minNumeric?: number; minSpecial?: number };
  const meets = (password: string, policy: Minimums) => {
    const count = (set: string) => [...password].filter((c) => set.includes(c)).length;
    assert.equal(password.length, policy.length);
    assert.ok(count(LOWER) >= (policy.minLower ?? 0) && count(UPPER) >= (policy.minUpper ?? 0), "letters");
    assert.ok(count(NUMERIC) >= (policy.minNumeric ?? 0) && count(SPECIAL) >= (policy.minSpecial ?? 0), "digits and specials");
  };

  before(async () => {
    d = await deploy();
    passwords = new Stack(d.stack.host, ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE, ENCRYPTED_RANDOM_PASSWORD_TYPE);
  });
  after(() => d.close());
  const next = async () => {
    await d.nextCommand();
    passwords.host = d.stack.host;
  };

  it("preview encrypts nothing; up draws a password that meets the policy, which KMS's Decrypt returns and state never holds", async () => {
    const policy = { length: 24, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 };
    const program = { ...policy, keyId: "key-aes", encryptionContext: { app: "db" } };
    d.emulator.resetStats();
    assert.equal((await passwords.preview("db", program)).op, "create");
    assert.equal(encryptCalls(d.emulator), 0, "a preview encrypts nothing");
    assert.equal((await passwords.up("db", program)).op, "create");
    assert.equal(encryptCalls(d.emulator), 1);
    const password = await viaKms("db");
    meets(password, policy);
    assert.equal(await opened("db"), password, "decrypt() opens the envelope to the same password");
    assertNotStored("db", password);
    for (const name of ["plaintext", "plaintextBase64", "plaintextDigest", "keepers"]) {
      assert.equal(name in passwords.state.get("db")!.inputs, false, `no ${name} among the inputs`);
    }

    await next();
    d.emulator.resetStats();
    assert.equal((await passwords.up("db", program)).op, "same");
    assert.equal(encryptCalls(d.emulator), 0);
    assert.equal(await viaKms("db"), password);
  });

  it("a symmetric key's rotation keeps the password through one ReEncrypt, under the new primary version", async () => {
    const program = { length: 20, keyId: "key-aes-rotating" };
    await passwords.up("rotating", program);
    const password = await viaKms("rotating");
    const { KeyVersion } = await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-aes-rotating" });
    await next();
    d.emulator.resetStats();
    assert.equal((await passwords.up("rotating", program)).op, "update");
    assert.equal(calls().ReEncrypt, 1);
    assert.equal(calls().Encrypt ?? 0, 0, "nothing encrypted anew");
    assert.equal(calls().Decrypt ?? 0, 0, "the password never left KMS");
    assert.equal(plain(out("rotating").keyVersionId), (KeyVersion as Props).KeyVersionId);
    assert.equal(await viaKms("rotating"), password, "the same password");
    assertNotStored("rotating", password);
    await next();
    assert.equal((await passwords.up("rotating", program)).op, "same");
  });

  it("an asymmetric key's rotation keeps the password, decrypted with the deployer's right and encrypted again", async () => {
    const program = { length: 16, special: false, keyId: "key-rotating" };
    await passwords.up("rsa", program);
    const password = await opened("rsa");
    meets(password, { length: 16 });
    assert.equal([...password].some((c) => SPECIAL.includes(c)), false, "special: false");
    const { KeyVersion } = await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-rotating" });
    await next();
    assert.equal((await passwords.up("rsa", program)).op, "update");
    assert.equal(plain(out("rsa").keyVersionId), (KeyVersion as Props).KeyVersionId);
    assert.equal(await opened("rsa"), password);
    assertNotStored("rsa", password);
  });

  it("a keepers change or a policy change draws a new password (a replacement); the same keepers keep it", async () => {
    const program = (keepers: Props, length = 18) => ({ length, keyId: "key-aes", keepers });
    await passwords.up("kept", program({ rotation: "2026-q4" }));
    const first = await viaKms("kept");
    await next();
    assert.equal((await passwords.up("kept", program({ rotation: "2026-q4" }))).op, "same");
    assert.equal(await viaKms("kept"), first);
    d.emulator.resetStats();
    const replaced = await passwords.up("kept", program({ rotation: "2027-q1" }));
    assert.equal(replaced.op, "replace");
    assert.equal(encryptCalls(d.emulator), 1, "one new password");
    const second = await viaKms("kept");
    assert.notEqual(second, first);
    assert.equal(JSON.stringify(passwords.state.get("kept")).includes("2027-q1"), false, "keepers are kept only as a keyed digest");
    const longer = await passwords.up("kept", program({ rotation: "2027-q1" }, 30));
    assert.equal(longer.op, "replace");
    assert.deepEqual(longer.op === "replace" ? longer.replaces : [], ["length"]);
    assert.equal((await viaKms("kept")).length, 30);
  });

  it("a ciphertext swapped in state before a rotation is never carried over: up fails naming the way out", async () => {
    await passwords.up("victim", { length: 20, keyId: "key-aes-rotating" });
    await passwords.up("planted", { length: 20, keyId: "key-aes-rotating" });
    const victim = passwords.state.get("victim")!;
    const original = structuredClone(victim);
    victim.outputs = { ...victim.outputs, ciphertextBlob: out("planted").ciphertextBlob, envelope: out("planted").envelope };
    await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-aes-rotating" });
    await next();
    d.emulator.resetStats();
    await assert.rejects(passwords.up("victim", { length: 20, keyId: "key-aes-rotating" }),
      /does not match its integrity tag .* it is not carried over, and no password is drawn unless you ask: change a value in keepers/);
    assert.equal(calls().ReEncrypt ?? 0, 0);
    passwords.state.set("victim", original);
  });

  it("profile \"rds\": the password takes RDS's special characters only and three classes at least", async () => {
    await passwords.up("rds", { length: 12, profile: "rds", keyId: "key-aes" });
    const password = await viaKms("rds");
    assert.equal(password.length, 12);
    assert.ok([...password].every((c) => (LOWER + UPPER + NUMERIC + "!@#$&%^*()_+-=").includes(c)), password.length.toString());
    for (const set of [LOWER, UPPER, NUMERIC, "!@#$&%^*()_+-="]) assert.ok([...password].some((c) => set.includes(c)), "every class on draws one");
  });

  it("refresh marks a disabled key stale; once it is enabled, up carries the same password over, never a new one", async () => {
    const program = { length: 20, keyId: "key-sm4" };
    await passwords.up("stale", program);
    const password = await viaKms("stale");
    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-sm4" });
    await next();
    assert.match(String((await passwords.refresh("stale")).staleReason), /key key-sm4 is Disabled/);
    await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-sm4" });
    await next();
    d.emulator.resetStats();
    assert.equal((await passwords.up("stale", program)).op, "update");
    assert.equal(calls().ReEncrypt, 1);
    assert.equal(encryptCalls(d.emulator), 0, "no new password");
    assert.equal(await viaKms("stale"), password);
    assert.equal(plain(out("stale").staleReason), "");
  });

  it("a key that can no longer decrypt the stored password: the preview fails naming the right and keepers, never a new password", async () => {
    await passwords.up("moving", { length: 20, keyId: "key-rsa3072" });
    const password = await opened("moving");
    await call(officialClient(d.emulator), "DisableKey", { KeyId: "key-rsa3072" });
    await next();
    d.emulator.resetStats();
    // Moved to another key: the stored password must be opened with the old one, which is disabled.
    await assert.rejects(passwords.preview("moving", { length: 20, keyId: "key-rsa2048" }),
      /carried over to the new key version with AsymmetricDecrypt, which KMS refuses: keyId 'key-rsa3072': ValidationError — the key the password is stored under is Disabled\. Grant the deploying identity kms:AsymmetricDecrypt, pin keyVersionId to keep it where it is, or change a value in keepers/);
    assert.equal(encryptCalls(d.emulator), 0);
    await call(officialClient(d.emulator), "EnableKey", { KeyId: "key-rsa3072" });
    await next();
    assert.equal((await passwords.up("moving", { length: 20, keyId: "key-rsa2048" })).op, "update");
    assert.equal(plain(out("moving").keyId), "key-rsa2048");
    assert.equal(await opened("moving"), password, "the same password, under the other key");
  });

  it("adopting an existing ciphertext (alicloud.kms.Ciphertext's): moved with one ReEncrypt, the same password, none drawn", async () => {
    // What alicloud.kms.Ciphertext does: Encrypt of the plaintext string, with its context.
    const made = await call(officialClient(d.emulator), "Encrypt", {
      KeyId: "key-aes", Plaintext: "Existing-Passw0rd!", EncryptionContext: JSON.stringify({ app: "legacy" }) });
    const program = { length: 20, keyId: "key-aes-rotating", adoptCiphertextBlob: String(made.CiphertextBlob),
      adoptEncryptionContext: { app: "legacy" } };
    d.emulator.resetStats();
    assert.equal((await passwords.up("adopted", program)).op, "create");
    assert.equal(calls().ReEncrypt, 1);
    assert.equal(encryptCalls(d.emulator), 0, "no password drawn");
    assert.equal(await viaKms("adopted"), "Existing-Passw0rd!");
    assert.equal(plain(out("adopted").keyId), "key-aes-rotating");
    await next();
    assert.equal((await passwords.up("adopted", program)).op, "same");
    // A new password while the program still adopts: refused, naming what to remove.
    await assert.rejects(passwords.up("adopted", { ...program, keepers: { generation: "2" } }),
      /adoptCiphertextBlob still names the adopted one, which the new resource would adopt again: remove adoptCiphertextBlob/);
    const { adoptCiphertextBlob: _b, adoptEncryptionContext: _c, ...drawn } = program;
    assert.equal((await passwords.up("adopted", { ...drawn, keepers: { generation: "2" } })).op, "replace");
    assert.notEqual(await viaKms("adopted"), "Existing-Passw0rd!");
  });

  it("a policy that cannot be met, or a plaintext given, is refused at preview naming the property", async () => {
    const cases: [Props, RegExp][] = [
      [{ length: 4, minUpper: 3, minNumeric: 3 }, /^length: length is 4, below the 6 characters the minimums require/m],
      [{ length: 8, lower: false, upper: false, numeric: false, special: false }, /lower, upper, numeric and special are all false/],
      [{ length: 8, upper: false, minUpper: 1 }, /^minUpper: minUpper is 1 but upper is false; set upper: true or minUpper: 0$/m],
      [{ length: 0 }, /^length: length must be a whole number from 1 to 1024$/m],
      [{ length: 8, overrideSpecial: "a b" }, /^overrideSpecial: overrideSpecial must be printable ASCII/m],
      [{ length: 8, plaintext: "chosen" }, /plaintext is not an input of EncryptedRandomPassword/],
      [{}, /^length: length is required/m],
      [{ length: 40, profile: "rds" }, /^length: length is 40; an RDS account password is 8 to 32 characters$/m],
      [{ length: 16, profile: "rds", overrideSpecial: "!~" }, /^overrideSpecial: overrideSpecial holds ~, which an RDS account password refuses/m],
      [{ length: 16, profile: "rds", upper: false, numeric: false }, /needs characters of 3 classes, and this policy guarantees 2/],
      [{ length: 16, profile: "mysql" }, /^profile: profile must be "rds"/m],
    ];
    for (const [policy, reason] of cases) {
      const step = await passwords.preview("refused", { keyId: "key-aes", ...policy });
      assert.equal(step.op, "failed", JSON.stringify(policy));
      if (step.op === "failed") assert.match(step.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"), reason);
    }
    const big = await passwords.preview("too-big", { length: 191, keyId: "key-rsa2048" });
    assert.equal(big.op, "failed", "RSA_2048 with OAEP-SHA-256 encrypts at most 190 bytes directly");
  });
});

// How KMS words a refused DryRun is undocumented: with the inner code, or a bare sentence. Either way
// the preview names the action to grant.
for (const messages of ["with-code", "bare"] as const) {
  describe(`EncryptedRandomPassword, deployed by an identity KMS does not let ReEncrypt (DryRun messages ${messages})`, () => {
    const DENIED = { accessKeyId: "LTAInoreencrypt", accessKeySecret: "no-reencrypt-secret-1a2b3c", deniedActions: ["ReEncrypt"] };
    let d: Deployment;
    let passwords: Stack;
    before(async () => {
      d = await deploy({ seed: { ...seed, accessKeys: [...seed.accessKeys, DENIED] }, behaviour: { dryRunMessages: messages },
        config: { "alicloud:accessKey": DENIED.accessKeyId, "alicloud:secretKey": DENIED.accessKeySecret } });
      passwords = new Stack(d.stack.host, ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE, ENCRYPTED_RANDOM_PASSWORD_TYPE);
    });
    after(() => d.close());

    it("a rotation fails at preview naming kms:ReEncrypt and the ways out; nothing is drawn or moved", async () => {
      await passwords.up("db", { length: 20, keyId: "key-aes-rotating" });
      const before = structuredClone(passwords.state.get("db"));
      await call(officialClient(d.emulator), "CreateKeyVersion", { KeyId: "key-aes-rotating" });
      await d.nextCommand();
      passwords.host = d.stack.host;
      d.emulator.resetStats();
      await assert.rejects(passwords.preview("db", { length: 20, keyId: "key-aes-rotating" }),
        /carried over to the new key version with ReEncrypt, which KMS refuses: keyId 'key-aes-rotating': AccessDeniedError — .*Grant the deploying identity kms:ReEncrypt, pin keyVersionId to keep it where it is, or change a value in keepers/);
      assert.equal(encryptCalls(d.emulator), 0);
      assert.deepEqual(passwords.state.get("db"), before);
    });
  });
}
