import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encryptCommand } from "../../sdk/cli/encrypt-command";
import { decrypt, DecryptError } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { ACCESS_KEY, seed } from "../provider/fixtures";

// decrypt() against the emulator: every key spec × algorithm and both certificates, direct and
// envelope, through KMS and locally encrypted; and every way an envelope can be tampered with is
// refused with a sentence that names the problem and carries no plaintext.

const targets = [
  { keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_256", limit: 190 },
  { keyId: "key-rsa2048", algorithm: "RSAES_OAEP_SHA_1", limit: 214 },
  { keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_256", limit: 318 },
  { keyId: "key-rsa3072", algorithm: "RSAES_OAEP_SHA_1", limit: 342 },
  { keyId: "key-sm2", algorithm: "SM2PKE", limit: 6047 },
  { certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_256", limit: 190 },
  { certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_1", limit: 214 },
  { certificateId: "cert-sm2", algorithm: "SM2PKE", limit: 6047 },
] as const;

type Json = Record<string, unknown>;
const decode = (envelope: string) => JSON.parse(Buffer.from(envelope, "base64").toString("utf8")) as Json;
const encode = (json: Json) => Buffer.from(JSON.stringify(json)).toString("base64");
const flipByte = (b64: string, at = 0) => {
  const b = Buffer.from(b64, "base64");
  b[at]! ^= 0x01;
  return b.toString("base64");
};

describe("decrypt(): the way back", () => {
  let emulator: KmsEmulator;
  let env: NodeJS.ProcessEnv;
  const large = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251));

  before(async () => {
    emulator = await startKmsEmulator({ seed });
    env = {
      ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint,
      ALIBABA_CLOUD_REGION: emulator.region,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    };
  });
  after(() => emulator.close());

  const primaryVersion = async (keyId: string) =>
    String(((await call(officialClient(emulator), "DescribeKey", { KeyId: keyId })).KeyMetadata as Json).PrimaryKeyVersion);
  const encrypt = (t: (typeof targets)[number], plaintext: Buffer, envelope: boolean, local: boolean) =>
    encryptCommand({ ...("keyId" in t ? { keyId: t.keyId } : { certificateId: t.certificateId }), algorithm: t.algorithm, envelope, local }, plaintext, env);

  for (const t of targets) {
    const name = `${"keyId" in t ? t.keyId : t.certificateId} ${t.algorithm}`;
    it(`round trips ${name}: at the limit directly, 100 KB as an envelope, through KMS and locally`, async () => {
      const atLimit = Buffer.alloc(t.limit, 0xa5);
      for (const local of [false, true]) {
        const direct = await encrypt(t, atLimit, false, local);
        assert.equal(decode(direct).ciphertextBlob !== undefined, true);
        assert.deepEqual(await decrypt(direct, { env }), atLimit, `${name} direct local=${local}`);
        const envelope = await encrypt(t, large, true, local);
        assert.equal(decode(envelope).cipher, "AES_256_GCM");
        assert.deepEqual(await decrypt({ envelope }, { env }), large, `${name} envelope local=${local}`);
      }
    });
  }

  it("decrypts a bare ciphertextBlob given its key, version and algorithm, the region from the environment", async () => {
    const answer = await call(officialClient(emulator), "AsymmetricEncrypt", {
      KeyId: "key-rsa3072", KeyVersionId: await primaryVersion("key-rsa3072"),
      Algorithm: "RSAES_OAEP_SHA_1", Plaintext: Buffer.from("bare").toString("base64"),
    });
    const plaintext = await decrypt({ ciphertextBlob: String(answer.CiphertextBlob), keyId: "key-rsa3072",
      keyVersionId: String(answer.KeyVersionId), algorithm: "RSAES_OAEP_SHA_1" }, { env });
    assert.equal(plaintext.toString(), "bare");
  });

  describe("tampered or malformed envelopes are refused", () => {
    const secret = Buffer.from("tamper-evident secret value ".repeat(20));
    let envelope: string;
    let other: string;
    before(async () => {
      envelope = await encrypt(targets[0], secret, true, false);
      other = await encrypt(targets[0], Buffer.from("another value"), true, false);
    });

    async function refused(input: string, pattern: RegExp, code?: string) {
      await assert.rejects(decrypt(input, { env }), (e: unknown) => {
        assert.ok(e instanceof DecryptError, String(e));
        assert.match(e.message, pattern);
        if (code) assert.equal(e.code, code);
        assert.ok(!e.message.includes("tamper-evident") && !e.message.includes(ACCESS_KEY.accessKeySecret), "no plaintext or secret in the message");
        assert.equal(e.stack, "");
        return true;
      });
    }

    const gcm = /AES-256-GCM tag does not verify/;
    it("a flipped tag, ciphertext or IV byte fails the AES-GCM tag", async () => {
      const json = decode(envelope);
      await refused(encode({ ...json, tag: flipByte(String(json.tag)) }), gcm, "EnvelopeIntegrity");
      await refused(encode({ ...json, ciphertext: flipByte(String(json.ciphertext), 100) }), gcm, "EnvelopeIntegrity");
      await refused(encode({ ...json, iv: flipByte(String(json.iv)) }), gcm, "EnvelopeIntegrity");
      await refused(encode({ ...json, ciphertext: Buffer.from(String(json.ciphertext), "base64").subarray(0, 10).toString("base64") }), gcm);
    });

    it("another envelope's data key (valid for the key) fails the tag: the header is authenticated", async () => {
      await refused(encode({ ...decode(envelope), encryptedDataKey: decode(other).encryptedDataKey }), gcm, "EnvelopeIntegrity");
    });

    it("an envelope's encrypted data key presented as a direct value or a bare ciphertext is refused, never opened", async () => {
      const json = decode(envelope);
      const header = { v: 2, keyId: json.keyId, keyVersionId: json.keyVersionId, algorithm: json.algorithm, region: json.region };
      const dataKeyAsValue = /opens to an envelope's data key, not to a value .*nothing was returned/;
      await refused(encode({ ...header, ciphertextBlob: json.encryptedDataKey }), dataKeyAsValue, "DataKeyRefused");
      await assert.rejects(decrypt({ ciphertextBlob: String(json.encryptedDataKey), keyId: String(json.keyId),
        keyVersionId: String(json.keyVersionId), algorithm: "RSAES_OAEP_SHA_256" }, { env }),
      (e: unknown) => e instanceof DecryptError && e.code === "DataKeyRefused");
    });

    it("version 1 envelopes (a bare 32-byte data key, the v1 AAD) still open, made here with OpenSSL-compatible parts", async () => {
      const keyVersionId = await primaryVersion("key-rsa2048");
      const dataKey = randomBytes(32);
      const wrapped = await call(officialClient(emulator), "AsymmetricEncrypt", {
        KeyId: "key-rsa2048", KeyVersionId: keyVersionId, Algorithm: "RSAES_OAEP_SHA_256", Plaintext: dataKey.toString("base64") });
      const header = { v: 1, keyId: "key-rsa2048", keyVersionId, algorithm: "RSAES_OAEP_SHA_256", region: emulator.region };
      const encryptedDataKey = String(wrapped.CiphertextBlob);
      const aad = ["pulumi-alicloud-kms-encrypted/envelope/v1", header.keyId, keyVersionId, "", header.algorithm, header.region, "AES_256_GCM",
        encryptedDataKey].join("\n");
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
      cipher.setAAD(Buffer.from(aad));
      const ciphertext = Buffer.concat([cipher.update("a version 1 value"), cipher.final()]);
      const v1 = encode({ ...header, encryptedDataKey, cipher: "AES_256_GCM", iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"),
        ciphertext: ciphertext.toString("base64") });
      assert.equal((await decrypt(v1, { env })).toString(), "a version 1 value");
      await refused(encode({ ...decode(v1), v: 2 }), gcm, "EnvelopeIntegrity");
    });

    it("a wrong key, version or algorithm is refused by KMS with a sentence naming it", async () => {
      const json = decode(envelope);
      const otherVersion = await primaryVersion("key-other");
      await refused(encode({ ...json, keyId: "key-other", keyVersionId: otherVersion }),
        /^keyId 'key-other' version '.*': InvalidCiphertext — KMS cannot open it with this key version and algorithm/, "InvalidCiphertext");
      await refused(encode({ ...json, keyVersionId: "00000000-0000-0000-0000-000000000000" }), /Forbidden\.KeyVersionNotFound — the key has no such version/);
      await refused(encode({ ...json, algorithm: "RSAES_OAEP_SHA_1" }), /InvalidCiphertext/);
      await refused(encode({ ...json, encryptedDataKey: flipByte(String(json.encryptedDataKey), 5) }), /InvalidCiphertext/);
      await refused(encode({ ...json, keyId: "key-missing" }), /keyId 'key-missing' version .*: Forbidden\.KeyNotFound/);
    });

    it("malformed envelopes name what is wrong before any KMS call", async () => {
      emulator.resetStats();
      await refused("", /^envelope: the input is empty/, "EnvelopeFormat");
      await refused("not an envelope!", /^envelope: not base64/);
      await refused(Buffer.from("plain text").toString("base64"), /^envelope: the base64 does not hold JSON/);
      await refused(encode({ ...decode(envelope), v: 4 }), /^envelope: version '4' is not one this package reads \(1, 2, 3\); upgrade/);
      await refused(encode({ ...decode(envelope), v: 3 }), /^envelope: recipients must be a list of 1 to 8; the envelope was altered or is not one$/);
      await refused(encode({ ...decode(envelope), keyVersionId: undefined }), /^envelope: needs keyId with keyVersionId, or certificateId alone/);
      await refused(encode({ ...decode(envelope), algorithm: "RSA_PKCS1" }), /^envelope: algorithm must be one of/);
      await refused(encode({ ...decode(envelope), iv: Buffer.alloc(8).toString("base64") }), /^envelope: iv is 8 bytes, not 12/);
      assert.deepEqual(emulator.stats().calls, {});
    });

    it("a wrong access key secret is named by its source, never shown", async () => {
      await assert.rejects(decrypt(envelope, { env: { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: "wrong-secret-value-123" } }), (e: unknown) => {
        assert.ok(e instanceof DecryptError);
        assert.match(e.message, /SignatureDoesNotMatch — .*ALIBABA_CLOUD_ACCESS_KEY_ID/);
        assert.ok(!e.message.includes("wrong-secret-value-123"));
        return true;
      });
    });
  });

  describe("what an application is told names its own options and environment, never a stack's settings", () => {
    const bare = async () => {
      const answer = await call(officialClient(emulator), "AsymmetricEncrypt", {
        KeyId: "key-rsa2048", KeyVersionId: await primaryVersion("key-rsa2048"),
        Algorithm: "RSAES_OAEP_SHA_256", Plaintext: Buffer.from("bare").toString("base64"),
      });
      return { ciphertextBlob: String(answer.CiphertextBlob), keyId: "key-rsa2048", keyVersionId: String(answer.KeyVersionId), algorithm: "RSAES_OAEP_SHA_256" } as const;
    };
    const rejectsWith = async (promise: Promise<unknown>, message: RegExp, code?: string) => {
      await assert.rejects(promise, (e: unknown) => {
        assert.ok(e instanceof DecryptError, String(e));
        assert.match(e.message, message);
        // Every DecryptError has a code an application can branch on.
        assert.match(e.code, code === undefined ? /^[A-Z][A-Za-z.]+$/ : new RegExp(`^${code}$`));
        assert.doesNotMatch(e.message, /alicloud-kms:|alicloud:/, "no stack config key");
        return true;
      });
    };

    it("a bare ciphertext opens with the value's region output; without any region the message says where it is", async () => {
      const value = await bare();
      const { ALIBABA_CLOUD_REGION: _, ...noRegion } = env;
      assert.equal((await decrypt({ ...value, region: emulator.region }, { env: noRegion })).toString(), "bare");
      await rejectsWith(decrypt(value, { env: noRegion }),
        /^region: a bare ciphertext names no region; set decrypt\(\)'s region option \(or ALIBABA_CLOUD_REGION_ID\) to the value's region output, or decrypt its envelope output/, "Settings");
      const certificateValue = { ciphertextBlob: value.ciphertextBlob, certificateId: "cert-rsa", algorithm: value.algorithm };
      await rejectsWith(decrypt(certificateValue, { env: noRegion }), /^region: a bare ciphertext names no region/);
    });

    it("no answer from KMS names the endpoint option and ALIBABA_CLOUD_KMS_ENDPOINT", async () => {
      await rejectsWith(decrypt({ ...(await bare()), region: emulator.region }, { env, endpoint: "http://127.0.0.1:9" }),
        /NetworkError — no answer from http:\/\/127\.0\.0\.1:9 .*after retries; check decrypt\(\)'s endpoint option \(or ALIBABA_CLOUD_KMS_ENDPOINT\) and the network/);
    });

    it("a malformed endpoint or region option is named as the option", async () => {
      await rejectsWith(decrypt(await bare(), { env, endpoint: "ftp://example.com" }), /^endpoint option: 'ftp:\/\/example\.com' must use http or https/);
      await rejectsWith(decrypt(await bare(), { env, region: "cn hangzhou" }), /^region option: 'cn hangzhou' is not a region ID/);
    });

    it("no credentials: what was tried and the application's ways to give them, in our words", async () => {
      // The credentials library reads the process's own HOME (~/.aliyun/config.json), not decrypt()'s env.
      const home = mkdtempSync(join(tmpdir(), "kms-nocreds-"));
      const realHome = process.env.HOME;
      process.env.HOME = home;
      try {
        const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...noKeys } = env;
        await rejectsWith(decrypt({ ...(await bare()), region: emulator.region }, { env: noKeys }),
          /CredentialsUnavailable — the default credentials chain found none \(it tries .*\)\. Give the application ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ALIBABA_CLOUD_PROFILE/);
      } finally {
        if (realHome === undefined) delete process.env.HOME;
        else process.env.HOME = realHome;
        rmSync(home, { recursive: true, force: true });
      }
    });
  });

  it("the decrypt entry point loads no @pulumi/pulumi", () => {
    const loaded = execFileSync(process.execPath, ["--import", "tsx", "-e",
      "require('./sdk/decrypt'); console.log(JSON.stringify(Object.keys(require.cache).filter((m) => m.includes('@pulumi'))))"],
    { encoding: "utf8" });
    assert.deepEqual(JSON.parse(loaded), []);
  });
});
