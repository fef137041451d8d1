import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { integer, octets, sequence, TAG, tlv } from "../../provider/crypto/der";
import { decrypt, DecryptError } from "../../sdk/decrypt";

// Security round 4, item 7 (and an "also"): an Encryption SDK message is hostile input, read before any KMS call.
// Its encryption context and its data keys are SETs of any length; the parser once split and
// decoded the whole context (800,000 pairs, 14.8 MB: 14.7 s of CPU) before refusing it for being
// over KMS's 8,192 characters. It must stop at the first pair past the limit (and at the ninth
// data key), so that any such message is refused within a second of CPU.

const ARN = Buffer.from("acs:kms:cn-hangzhou:123456789012:key/key-sym", "utf8");
const KEY = sequence(octets(ARN), octets(Buffer.alloc(32, 1)));

/** A message whose header holds `keys` and `contextPairs` as given, and a well-formed rest. */
function message(keys: Buffer[], contextPairs: Buffer): string {
  const header = sequence(integer(1), integer(2), tlv(TAG.SET, Buffer.concat(keys)), tlv(TAG.SET, contextPairs),
    octets(Buffer.alloc(12)), octets(Buffer.alloc(16)));
  return sequence(header, sequence(octets(Buffer.alloc(12)), octets(Buffer.alloc(8)), octets(Buffer.alloc(16)))).toString("base64");
}

/** decrypt()'s refusal, and the CPU (user + system) it took, in milliseconds. */
async function refusal(envelope: string): Promise<{ error: DecryptError; cpuMs: number }> {
  const started = process.cpuUsage();
  try {
    await decrypt(envelope, { env: {} });
  } catch (e) {
    const used = process.cpuUsage(started);
    assert.ok(e instanceof DecryptError, String(e));
    return { error: e, cpuMs: (used.user + used.system) / 1000 };
  }
  assert.fail("decrypt accepted a hostile message");
}

describe("hostile Encryption SDK messages are refused before they cost", () => {
  it("a context of 800,000 pairs (14.8 MB) is refused at the first pair past 8,192 characters, within a second of CPU", async () => {
    const pairs = Array.from({ length: 800_000 }, (_, i) => sequence(octets(Buffer.from(`k${i}`)), octets(Buffer.from("v"))));
    const envelope = message([KEY], Buffer.concat(pairs));
    const { error, cpuMs } = await refusal(envelope);
    assert.equal(error.code, "EnvelopeFormat");
    assert.match(error.message, /encryption context is over 8192 characters as JSON/);
    assert.ok(cpuMs < 1_000, `${cpuMs.toFixed(0)} ms of CPU`);
  });

  it("a million data keys are refused at the ninth, within a second of CPU", async () => {
    const envelope = message(Array.from({ length: 1_000_000 }, () => KEY), Buffer.alloc(0));
    const { error, cpuMs } = await refusal(envelope);
    assert.equal(error.code, "EnvelopeFormat");
    assert.match(error.message, /1 to 8 encrypted data keys/);
    assert.ok(cpuMs < 1_000, `${cpuMs.toFixed(0)} ms of CPU`);
  });
});

describe("a hostile native envelope's fields", () => {
  // Security round 4, also: a field of the wrong type is named by its type, whatever its depth (a
  // 13 KB nested list once threw a bare RangeError from inside the message's own quoting).
  it("a keyId of 13 KB of nested lists is refused as EnvelopeFormat, naming keyId, the value shown as its type", async () => {
    const nested = `${"[".repeat(6_500)}${"]".repeat(6_500)}`;
    const json = `{"v":2,"keyId":${nested},"keyVersionId":"v","algorithm":"RSAES_OAEP_SHA_256","ciphertextBlob":"AAAA"}`;
    const { error, cpuMs } = await refusal(Buffer.from(json).toString("base64"));
    assert.equal(error.code, "EnvelopeFormat");
    assert.match(error.message, /keyId \(a list\) is not/);
    assert.doesNotMatch(error.message, /Maximum call stack|RangeError/);
    assert.ok(cpuMs < 1_000, `${cpuMs.toFixed(0)} ms of CPU`);
  });
});

// Issue 35: readers.md lists a truncated envelope under EnvelopeIntegrity, and a cut message was
// refused as EnvelopeFormat, which the CLI then took for a bare ciphertext ("the input is not an
// envelope; a bare ciphertext needs --key-id …"). Cut short at any point, either format is an
// envelope that does not authenticate, and says so.
describe("an envelope cut short", () => {
  const whole = Buffer.from(message([KEY], sequence(octets(Buffer.from("app")), octets(Buffer.from("orders")))), "base64");
  const native = Buffer.from(JSON.stringify({ v: 2, keyId: "key-1", keyVersionId: "v1", algorithm: "RSAES_OAEP_SHA_256",
    region: "cn-hangzhou", encryptedDataKey: "AAAA", cipher: "AES-256-GCM", iv: "AAAAAAAAAAAAAAAA", tag: "AAAAAAAAAAAAAAAAAAAAAA==", ciphertext: "AAAA" }));

  it("an Encryption SDK message or a native envelope cut at any byte is refused as EnvelopeIntegrity, saying it was cut short", async () => {
    for (const [name, bytes] of [["Encryption SDK message", whole], ["native envelope", native]] as const) {
      for (const at of [2, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 1]) {
        const { error } = await refusal(bytes.subarray(0, at).toString("base64"));
        assert.equal(error.code, "EnvelopeIntegrity", `${name} cut at ${at}: ${error.message}`);
        assert.match(error.message, /cut short/);
      }
    }
  });

  it("the CLI says so too, not that the input is a bare ciphertext", async () => {
    const { decryptCommand } = await import("../../sdk/cli/decrypt-command");
    const cut = Buffer.from(whole.subarray(0, whole.length - 5).toString("base64"));
    await assert.rejects(decryptCommand({}, cut, {}), (e: Error) => {
      assert.doesNotMatch(e.message, /not an envelope|--key-id/);
      assert.match(e.message, /Encryption SDK message: .*cut short/);
      return true;
    });
  });
});
