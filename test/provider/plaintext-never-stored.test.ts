import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { secretForms } from "../support/secret-forms";
import { ACCESS_KEY, deploy, type Deployment } from "./fixtures";

// The hard requirement: nothing the engine stores or prints gives the plaintext away. High-entropy
// markers go through every provider method (and through failures), then every response, the
// serialized provider and the host's output are searched for them in every encoding.

const marker = () => Buffer.from(`MARKER-${randomBytes(24).toString("hex")}`);

function assertAbsent(haystack: string, secret: Buffer, what: string) {
  for (const needle of secretForms(secret)) assert.equal(haystack.includes(needle), false, `${what} found in the transcript`);
}

describe("no plaintext or credential in state, __provider, responses or output", () => {
  let d: Deployment;
  const markers: Buffer[] = [];
  const next = () => {
    const m = marker();
    markers.push(m);
    return m;
  };

  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("preview, create, update, refresh and no-op passes, in both change-detection modes and local encryption", async () => {
    const first = next();
    const asBase64 = next();
    const triggerValue = next();
    const programs = () => ({
      text: { plaintext: first.toString(), keyId: "alias/app" },
      binary: { plaintextBase64: asBase64.toString("base64"), keyId: "key-sm2", algorithm: "SM2PKE" },
      certificate: { plaintext: first.toString(), certificateId: "cert-rsa" },
      trigger: { plaintext: triggerValue.toString(), keyId: "key-rsa3072", changeDetection: "trigger", trigger: "v1" },
      "local-rsa": { plaintext: triggerValue.toString(), keyId: "key-rsa2048", encryptLocally: true },
      "local-sm2": { plaintextBase64: asBase64.toString("base64"), certificateId: "cert-sm2", encryptLocally: true },
    });
    for (const [name, inputs] of Object.entries(programs())) {
      assert.equal((await d.stack.preview(name, inputs)).op, "create");
      assert.equal((await d.stack.up(name, inputs)).op, "create");
    }
    await d.nextCommand();
    for (const [name, inputs] of Object.entries(programs())) assert.equal((await d.stack.up(name, inputs)).op, "same");

    // Update with new plaintexts; trigger mode only when its trigger changes.
    const second = next();
    const updated = { plaintext: second.toString(), keyId: "alias/app" };
    await d.nextCommand();
    assert.equal((await d.stack.up("text", updated)).op, "update");
    const newTriggerValue = next();
    const trigger = { ...programs().trigger, plaintext: newTriggerValue.toString() };
    assert.equal((await d.stack.up("trigger", trigger)).op, "same", "trigger mode ignores the plaintext");
    assert.equal((await d.stack.up("trigger", { ...trigger, trigger: "v2" })).op, "update");
    assert.equal("plaintextDigest" in d.stack.state.get("trigger")!.inputs, false, "trigger mode stores no digest");
    assert.equal("trigger" in d.stack.state.get("trigger")!.outputs, false, "the trigger is no output");

    await d.nextCommand();
    for (const name of ["text", "binary", "certificate", "trigger"]) await d.stack.refresh(name);
  });

  it("failures: a too-long plaintext, invalid base64 and a failed encryption echo nothing", async () => {
    const long = Buffer.concat([next(), Buffer.alloc(200, 0x41)]);
    const tooLong = await d.stack.preview("long", { plaintext: long.toString(), keyId: "key-rsa2048" });
    assert.equal(tooLong.op, "failed");
    const badBase64 = await d.stack.preview("bad", { plaintextBase64: `${next().toString()}!`, keyId: "key-rsa2048" });
    assert.equal(badBase64.op, "failed");

    await d.nextCommand();
    const doomed = { plaintext: next().toString(), keyId: "key-rsa3072" };
    // The preview leaves KMS's verdicts in this process's cache, so the up's check passes and its
    // create meets the faults.
    assert.equal((await d.stack.preview("doomed", doomed)).op, "create");
    d.emulator.setFaults({ errorRate: 1, actions: ["AsymmetricEncrypt", "DescribeKey"] });
    try {
      await assert.rejects(d.stack.up("doomed", doomed), /keyId 'key-rsa3072': InternalFailure/);
      assert.equal(d.stack.state.has("doomed"), false, "a failed create leaves nothing in state");
      await assert.rejects(d.stack.refresh("text"));
    } finally {
      d.emulator.setFaults({ errorRate: 0, actions: [] });
    }
  });

  it("the whole transcript holds no marker and no access key secret", () => {
    const transcript = [d.transcript(), d.providerBlob, JSON.stringify([...d.stack.state.values()])].join("\n");
    assert.ok(transcript.includes("ciphertextBlob"), "the transcript is the real one");
    assert.ok(transcript.includes("encrypts at most 190"), "it holds the size failure");
    assert.ok(transcript.includes("InternalFailure"), "it holds the failed create and refresh");
    for (const m of markers) assertAbsent(transcript, m, `marker ${m.toString().slice(0, 14)}…`);
    assertAbsent(transcript, Buffer.from(ACCESS_KEY.accessKeySecret), "the access key secret");
  });

  it("the serialized provider is a loader: no credentials, clients or provider code", () => {
    assert.match(d.providerBlob, /require\("pulumi-alicloud-kms-encrypted\/provider"\)/);
    assert.doesNotMatch(d.providerBlob, /accessKey|secret|doRequest|scrypt|Credential/i);
    assert.ok(d.providerBlob.length < 128, `${d.providerBlob.length} bytes: one line, not serialized code`);
  });

  it("user errors reach the host's output without stack traces", () => {
    assert.doesNotMatch(d.transcript(), /\n\s+at \S+ \(/, "no stack frames");
  });
});
