import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { decrypt, DecryptError } from "../../sdk/decrypt";
import { MAX_ENVELOPE_CHARS } from "../../provider/crypto/envelope-format";
import { applicationEnv } from "../support/application-env";
import { cli } from "../support/cli-process";
import { ACCESS_KEY, deploy, type Deployment, encryptCalls } from "../provider/fixtures";

// Envelopes of large values: base64 is checked in linear time (a regular expression with a repeated
// group overflowed V8's stack between 4 and 8 MB, so a 5 MB file encrypted and never decrypted),
// and anything unreadable is an EnvelopeFormat DecryptError, never a bare RangeError.

describe("large envelopes", { timeout: 10 * 60_000 }, () => {
  let d: Deployment;
  const env = () => applicationEnv(d.emulator, ACCESS_KEY);

  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  for (const megabytes of [5, 50]) {
    it(`${megabytes} MB: the CLI encrypts it, and decrypt() and the CLI open the envelope`, async () => {
      const plaintext = randomBytes(megabytes * 1024 * 1024);
      const enc = await cli(["encrypt", "--key-id", "alias/app", "--envelope"], env(), plaintext);
      assert.equal(enc.code, 0, enc.stderr);
      const envelope = enc.stdout.toString().trim();
      assert.ok(envelope.length > megabytes * 1024 * 1024 * 1.7, `a ${Math.round(envelope.length / 1024 / 1024)} MB envelope`);
      assert.ok((await decrypt(envelope, { env: env() })).equals(plaintext), "decrypt()");
      const dec = await cli(["decrypt"], env(), enc.stdout);
      assert.equal(dec.code, 0, dec.stderr);
      assert.ok(dec.stdout.equals(plaintext), "the CLI");
    });
  }

  it("a stack keeps a 5 MB value: up encrypts it, and the next up reads its stored envelope and leaves it", async () => {
    const inputs = { plaintextBase64: randomBytes(5 * 1024 * 1024).toString("base64"), keyId: "key-sm4", envelope: true, changeDetection: "trigger", trigger: "1" };
    assert.equal((await d.stack.up("large", inputs)).op, "create");
    await d.nextCommand();
    d.emulator.resetStats();
    assert.equal((await d.stack.up("large", inputs)).op, "same");
    assert.equal(encryptCalls(d.emulator), 0);
    const envelope = String(d.stack.state.get("large")!.outputs.envelope);
    assert.equal((await decrypt(envelope, { env: env() })).toString("base64"), inputs.plaintextBase64);
  });

  it("unreadable input is refused in our words: too long or not base64 (EnvelopeFormat), cut short (EnvelopeIntegrity)", async () => {
    const refusals: [string, string, RegExp][] = [
      ["A".repeat(MAX_ENVELOPE_CHARS + 4), "EnvelopeFormat", /over the 256 MiB an envelope may be/],
      [`${"A".repeat(8 * 1024 * 1024)}!`, "EnvelopeFormat", /not base64/],
      [Buffer.from(`{"v":2,"ciphertext":"${"A".repeat(6 * 1024 * 1024)}`).toString("base64"), "EnvelopeIntegrity", /its JSON is cut short/],
    ];
    for (const [input, code, message] of refusals) {
      await assert.rejects(decrypt(input, { env: env() }),
        (e: DecryptError) => e instanceof DecryptError && e.code === code && message.test(e.message));
    }
    const cliRefusal = await cli(["decrypt"], env(), Buffer.from(`${"A".repeat(8 * 1024 * 1024)}!`));
    assert.equal(cliRefusal.code, 1);
    assert.doesNotMatch(cliRefusal.stderr, /RangeError|at .*\.ts:\d+/);
  });
});
