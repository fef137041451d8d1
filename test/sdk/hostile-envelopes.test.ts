import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { endpointFor } from "../../provider/kms/kms-transport";
import { resolveSettings } from "../../provider/kms/settings";
import { encryptCommand } from "../../sdk/cli/encrypt-command";
import { decrypt, DecryptError } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { ACCESS_KEY, seed } from "../provider/fixtures";
import { cli } from "../support/cli-process";

// Whoever can write what an application decrypts (an OOS parameter, an environment variable, a
// file, the CLI's stdin) must not be able to choose where the application sends its signed
// AsymmetricDecrypt request: under signature v1 the host is not signed, so a relay could replay it
// to the real KMS. A relay listens on loopback; every hostile region is refused with a sentence
// naming the field, and the relay never sees a connection.

type Json = Record<string, unknown>;
const encode = (json: Json) => Buffer.from(JSON.stringify(json)).toString("base64");
const APP_SECRET = "application-access-key-secret-0b1c2d";

describe("hostile envelopes and bare ciphertexts cannot redirect decrypt() or the CLI", () => {
  let relay: Server;
  let connections = 0;
  let port = 0;
  let emulator: KmsEmulator;
  // No endpoint configured: the region alone would choose the host.
  const appEnv = { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIapplication", ALIBABA_CLOUD_ACCESS_KEY_SECRET: APP_SECRET };

  before(async () => {
    relay = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => relay.listen(0, "127.0.0.1", done));
    port = (relay.address() as { port: number }).port;
    emulator = await startKmsEmulator({ seed });
  });
  after(async () => {
    await new Promise((done) => relay.close(done));
    await emulator.close();
  });

  const hostileRegions = () => [
    `x@127.0.0.1:${port}/`,
    `a:${port}@127.0.0.1:${port}/`,
    `127.0.0.1:${port}`,
    "evil.example:443/",
    "cn-hangzhou.evil.example",
    "cn-hangzhou/",
    "cn-hangzhou#",
    "cn-hangzhou?x=",
    "cn-hangzhou:443",
    "cn-hangzhou\u0000",
    "CN-HANGZHOU",
    "cn-hangzhou\r\nHost: evil",
  ];
  const header = { keyId: "key-rsa2048", keyVersionId: "11111111-1111-1111-1111-111111111111", algorithm: "RSAES_OAEP_SHA_256" as const };
  const envelopes = (region: string) => [1, 2].flatMap((v) => [
    encode({ v, ...header, region, ciphertextBlob: "AAAA" }),
    encode({ v, ...header, region, encryptedDataKey: "AAAA", cipher: "AES_256_GCM", iv: "AAAAAAAAAAAAAAAA", tag: "AAAAAAAAAAAAAAAAAAAAAA==", ciphertext: "AAAA" }),
  ]);

  it("the region pattern leaves nothing but KMS's own host name", () => {
    const settings = resolveSettings(() => undefined, {});
    assert.deepEqual(endpointFor(settings, "cn-hangzhou"), { host: "kms.cn-hangzhou.aliyuncs.com", protocol: "https" });
    for (const region of hostileRegions()) assert.throws(() => endpointFor(settings, region), /InvalidRegion/, JSON.stringify(region));
  });

  it("decrypt() refuses every hostile region in an envelope, a bare ciphertext or its options, and connects nowhere", async () => {
    for (const region of hostileRegions()) {
      const inputs = [
        ...envelopes(region),
        { ciphertextBlob: "AAAA", ...header, region },
        { ciphertextBlob: "AAAA", certificateId: "cert-rsa", algorithm: "RSAES_OAEP_SHA_256" as const, region },
        { ciphertextBlob: "AAAA", ...header, keyId: `acs:kms:${region}:1234:key/key-rsa2048` },
      ];
      for (const input of inputs) {
        await assert.rejects(decrypt(input as never, { env: appEnv }), (e: unknown) => {
          assert.ok(e instanceof DecryptError, String(e));
          assert.equal(e.code, "EnvelopeFormat", `${JSON.stringify(region)}: ${e.message}`);
          assert.match(e.message, /region|keyId/);
          assert.doesNotMatch(e.message, /[\u0000-\u001f]/, "no raw control characters in the message");
          return true;
        });
      }
      // decrypt()'s own region option goes through the same check.
      await assert.rejects(decrypt({ ciphertextBlob: "AAAA", ...header }, { env: appEnv, region }), /is not a region ID/);
    }
    assert.equal(connections, 0, "the relay was never contacted");
  });

  it("the CLI refuses them too: exit 1, the message names the field, the relay hears nothing", async () => {
    for (const region of hostileRegions().slice(0, 4)) {
      for (const envelope of envelopes(region)) {
        const run = await cli(["decrypt"], appEnv, Buffer.from(envelope));
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, /envelope: region '.*' is not a region ID/);
        assert.equal(run.stdout.length, 0);
        assert.equal(run.stderr.includes(APP_SECRET), false);
      }
    }
    assert.equal(connections, 0, "the relay was never contacted");
  });

  describe("pinning: allowedRegions and allowedKeys (--allow-region, --allow-key)", () => {
    let env: NodeJS.ProcessEnv;
    let envelope: string;
    before(async () => {
      env = {
        ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint,
        ALIBABA_CLOUD_REGION_ID: emulator.region,
        ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
      };
      envelope = await encryptCommand({ keyId: "key-rsa2048", envelope: true, local: false }, Buffer.from("pinned"), env);
    });
    const decryptCalls = () => (emulator.stats().calls.AsymmetricDecrypt ?? 0);
    const arn = (region: string, keyId: string) => `acs:kms:${region}:1234567890:key/${keyId}`;

    it("an envelope outside the pins is refused before any KMS call", async () => {
      const before = decryptCalls();
      const refusals: [Parameters<typeof decrypt>[1], RegExp][] = [
        [{ allowedRegions: ["cn-shanghai"] }, /region 'cn-hangzhou' is not one of allowedRegions \(cn-shanghai\); nothing was sent/],
        [{ allowedKeys: ["key-other"] }, /key 'key-rsa2048' is not one of allowedKeys; nothing was sent/],
        [{ allowedKeys: [arn("cn-shanghai", "key-rsa2048")] }, /is not one of allowedKeys/],
        [{ allowedKeys: ["cert-rsa"] }, /is not one of allowedKeys/],
      ];
      for (const [pins, message] of refusals) {
        await assert.rejects(decrypt(envelope, { env, ...pins }), (e: unknown) => e instanceof DecryptError && e.code === "NotAllowed" && message.test(e.message));
      }
      await assert.rejects(decrypt(envelope, { env, allowedRegions: ["evil.example:443/"] }), /allowedRegions: 'evil.example:443\/' is not a region ID/);
      await assert.rejects(decrypt(envelope, { env, allowedKeys: ["acs:kms:x"] }), /allowedKeys: 'acs:kms:x' is not a key ID/);
      assert.equal(decryptCalls(), before, "no AsymmetricDecrypt was made");
    });

    it("an envelope inside the pins decrypts, by key ID or by key ARN", async () => {
      for (const pins of [{ allowedRegions: [emulator.region] }, { allowedKeys: ["key-rsa2048"] }, { allowedKeys: ["key-other", arn(emulator.region, "key-rsa2048")] }]) {
        assert.equal((await decrypt(envelope, { env, ...pins })).toString(), "pinned");
      }
    });

    it("the CLI takes them as --allow-region and --allow-key, repeatable, on decrypt only", async () => {
      const refused = await cli(["decrypt", "--allow-region", "cn-shanghai", "--allow-region", "cn-beijing"], env, Buffer.from(envelope));
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /not one of allowedRegions \(cn-shanghai, cn-beijing\)/);
      const allowed = await cli(["decrypt", "--allow-region", emulator.region, "--allow-key", "key-rsa2048"], env, Buffer.from(envelope));
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal(allowed.stdout.toString(), "pinned");
      const misplaced = await cli(["encrypt", "--key-id", "key-rsa2048", "--allow-key", "key-rsa2048"], env, Buffer.from("x"));
      assert.equal(misplaced.code, 2);
      assert.match(misplaced.stderr, /--allow-key applies to decrypt/);
    });
  });
});
