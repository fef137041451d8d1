import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { Stack } from "../support/engine-steps";
import { privateKeyFile } from "../kms-emulator/store/keys-dir";
import { opensslDecrypt } from "../support/openssl";
import { deploy, type Deployment, stackConfig } from "./fixtures";

// Throttling and failures: bounded retries with backoff carry a deployment through; a failure
// that persists ends in a clear error, in bounded time, with nothing half-written.

type Props = Record<string, unknown>;

function decrypts(d: Deployment, outputs: Props, plaintext: string) {
  const decrypted = opensslDecrypt(privateKeyFile(d.keysDir, outputs), String(outputs.algorithm), String(outputs.ciphertextBlob));
  assert.equal(decrypted.toString(), plaintext);
}

describe("throttling (--qps)", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy({ qps: 8 });
  });
  after(() => d.close());

  it("30 values deployed at once against 8 QPS: throttled, retried, all created", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `v${i}`);
    const keys = ["key-rsa2048", "key-rsa3072", "key-sm2", "alias/app"];
    const inputs = (i: number) => ({ plaintext: `value ${i}`, keyId: keys[i % keys.length] });
    const steps = await Promise.all(names.map((n, i) => d.stack.up(n, inputs(i))));
    assert.deepEqual(new Set(steps.map((s) => s.op)), new Set(["create"]));
    assert.ok(d.emulator.stats().throttled > 0, "the emulator throttled some calls");
    names.forEach((n, i) => decrypts(d, d.stack.state.get(n)!.outputs, `value ${i}`));
  });
});

describe("injected faults", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("every 2nd call failing and every 5th dropped: the deployment still completes", async () => {
    d.emulator.setFaults({ errorEvery: 2, dropEvery: 5 });
    try {
      for (let i = 0; i < 6; i++) {
        assert.equal((await d.stack.up(`f${i}`, { plaintext: `faulty ${i}`, keyId: "key-rsa2048" })).op, "create");
      }
    } finally {
      d.emulator.setFaults({ errorEvery: 0, dropEvery: 0 });
    }
    for (let i = 0; i < 6; i++) decrypts(d, d.stack.state.get(`f${i}`)!.outputs, `faulty ${i}`);
  });

  it("a persistent failure: a clear error after a bounded number of attempts, and nothing half-written", async () => {
    await d.nextCommand();
    const inputs = { plaintext: "first", keyId: "key-rsa3072" };
    assert.equal((await d.stack.up("steady", inputs)).op, "create");
    const before = structuredClone(d.stack.state.get("steady"));
    const changed = { plaintext: "second", keyId: "key-rsa3072" };
    const fresh = { plaintext: "never", keyId: "key-rsa3072" };
    // Preview first: its DryRun verdicts are cached in this process, so the up's checks pass and
    // the failure meets create and update themselves.
    await d.stack.preview("steady", changed);
    await d.stack.preview("fresh", fresh);
    d.emulator.setFaults({ errorEvery: 1, actions: ["AsymmetricEncrypt"] });
    d.emulator.resetStats();
    const started = Date.now();
    try {
      await assert.rejects(d.stack.up("steady", changed), /^Error: keyId 'key-rsa3072': InternalFailure — KMS failed after bounded retries \(RequestId [0-9A-F-]+\); retry later$/);
      await assert.rejects(d.stack.up("fresh", fresh), /InternalFailure — KMS failed after bounded retries/);
    } finally {
      d.emulator.setFaults({ errorEvery: 0, actions: [] });
    }
    const elapsed = Date.now() - started;
    assert.equal(d.emulator.stats().calls.AsymmetricEncrypt, 12, "6 attempts per value, then it stops");
    assert.ok(elapsed < 10_000, `gave up in ${elapsed} ms`);
    assert.deepEqual(d.stack.state.get("steady"), before, "the failed update left the old outputs");
    assert.equal(d.stack.state.has("fresh"), false, "the failed create left no resource");
    decrypts(d, d.stack.state.get("steady")!.outputs, "first");
  });

  it("an endpoint that never answers: a check failure naming it, in bounded time", async () => {
    const host = await DynamicProviderHost.start();
    try {
      await host.configure({ ...stackConfig(d.emulator), "alicloud-kms:endpoint": "http://127.0.0.1:9" });
      const started = Date.now();
      const step = await new Stack(host, d.providerBlob).preview("v", { plaintext: "a", keyId: "key-rsa2048" });
      assert.ok(step.op === "failed");
      assert.match(step.failures[0]!.reason, /^keyId 'key-rsa2048': NetworkError — no answer from http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\) after retries; check alicloud-kms:endpoint/);
      assert.ok(Date.now() - started < 10_000);
    } finally {
      await host.close();
    }
  });
});
