import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { secretForms } from "../support/secret-forms";
import { filesUnder } from "./offline-pulumi";
import { packPackage, PulumiProject, type Run, removeRoot, tempRoot } from "./pulumi-project";
import { applicationEnv } from "../support/application-env";

// The security review's findings, through the real Pulumi CLI and the packed package:
// - two values with the same name and plaintext under two components, created at once with KMS
//   latency, each open to the plaintext (the hand-off once shared their bytes and one encrypted zeros);
// - `pulumi up --json` (whose stdout carries the Node SDK's debug diagnostics, every output of every
//   resource in clear) shows no digest and no secret trigger, in a create, a no-op and an update;
// - the resource objects exported whole carry no plaintext into stack outputs, state or history;
// - a malformed ~/.aliyun/config.json fails the preview in our words, its secret nowhere;
// - the program's own dynamic resources on the engine's default provider, which keeps the stack's
//   secret config in state, are named in a warning at preview and up; on the exported helper's
//   provider there is no warning and no secret config in state.

const ACCESS_KEY = { accessKeyId: "LTAIsecuritye2e", accessKeySecret: "security-e2e-access-key-secret-7c6b5a" };
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
const DIGEST = /scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+/g;

describe("security findings through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const shared = marker("shared");
  let pin = marker("pin");
  const trigger = marker("trigger");
  const profileSecret = marker("profile-secret");
  /** Output of every deployment command: what a CI log would keep. */
  const logs: Run[] = [];
  const env = () => applicationEnv(emulator, ACCESS_KEY);

  const deploy = async (...args: string[]) => {
    const run = await project.ok(...args);
    logs.push(run);
    return run;
  };
  const exported = async (showSecrets: boolean) => (await project.ok("stack", "export", ...(showSecrets ? ["--show-secrets"] : []))).stdout;

  /** Nothing a log or the state keeps may give a plaintext, a digest or a secret trigger away. */
  const nothingLeaks = async (step: string) => {
    // The state as it is now, read once each way: with secrets shown, and as stored.
    const [shown, asStored] = [await exported(true), await exported(false)];
    const stored = [shown, ...filesUnder(project.backendDir).map((p) => readFileSync(p, "utf8"))].join("\n");
    const logText = logs.map((r) => `${r.stdout}\n${r.stderr}`).join("\n");
    const digests = [...shown.matchAll(DIGEST)].map((m) => m[0]);
    assert.ok(digests.length >= 3, `${step}: the state keeps the digests (as secrets among the inputs)`);
    assert.deepEqual(logText.match(DIGEST), null, `${step}: a digest in a command's output`);
    for (const digest of digests) assert.equal(logText.includes(digest), false, `${step}: a stored digest in a command's output`);
    for (const form of secretForms(trigger)) {
      assert.equal(logText.includes(form), false, `${step}: the secret trigger in a command's output`);
      assert.equal(asStored.includes(form), false, `${step}: the secret trigger in the state, outside secrets`);
    }
    const everything = [logText, stored].join("\n");
    for (const secret of [shared, pin]) {
      for (const form of secretForms(secret)) assert.equal(everything.includes(form), false, `${step}: a plaintext is stored or printed`);
    }
    for (const form of secretForms(ACCESS_KEY.accessKeySecret)) {
      assert.equal(logText.includes(form), false, `${step}: the access key secret printed`);
    }
    type State = { deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] } };
    const state = JSON.parse(shown) as State;
    for (const r of state.deployment.resources.filter((r) => r.type.endsWith(":EncryptedValue"))) {
      assert.equal("plaintextDigest" in (r.outputs ?? {}), false, `${step}: a digest among the outputs`);
      assert.equal("trigger" in (r.outputs ?? {}), false, `${step}: a trigger among the outputs`);
    }
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: { accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [] },
    });
    // A HOME with a malformed aliyun CLI profile whose secret must never be quoted.
    const home = join(root, "home");
    mkdirSync(join(home, ".aliyun"), { recursive: true });
    writeFileSync(join(home, ".aliyun/config.json"),
      `{"current": "broken", "profiles": [{"name": "broken", "mode": "AK", "access_key_id": "LTAIbroken", "access_key_secret": "${profileSecret}",`);
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "security-program/index.js"), { HOME: home }, "kms-security");
    await project.ok("stack", "init", "dev");
    await project.configure(
      { "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, "alicloud:accessKey": ACCESS_KEY.accessKeyId },
      { "alicloud:secretKey": ACCESS_KEY.accessKeySecret, shared, pin, trigger },
    );
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("same-named values under two components, created at once with KMS latency, both open to their plaintext", async () => {
    emulator.setFaults({ latencyMs: 200, actions: ["AsymmetricEncrypt"] });
    try {
      await deploy("up", "--yes", "--json", "--skip-preview");
    } finally {
      emulator.setFaults({ latencyMs: 0 });
    }
    const { envelopes } = await project.outputs() as { envelopes: { a: string; b: string } };
    for (const envelope of [envelopes.a, envelopes.b]) assert.equal((await decrypt(envelope, { env: env() })).toString(), shared);
    await nothingLeaks("create");
  });

  it("a no-op up, a preview and an update print no digest, no secret trigger, no plaintext", async () => {
    const noop = await deploy("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(new Set(PulumiProject.ops(noop).values()), new Set(["same"]));
    await deploy("preview", "--json");
    pin = marker("pin-changed");
    await project.ok("config", "set", "--secret", "pin", pin);
    const update = await deploy("up", "--yes", "--json", "--skip-preview");
    assert.equal(PulumiProject.ops(update).get("pin"), "update", "the digest noticed the change");
    assert.equal(PulumiProject.ops(update).get("triggered"), "same", "trigger mode ignores the plaintext");
    await nothingLeaks("no-op, preview and update");
  });

  it("the program's own dynamic resources on the default provider are named in a warning; dynamicProviderWithoutConfig() keeps config out of state", async () => {
    await project.ok("stack", "init", "consumers");
    for (const [key, value] of [["alicloud-kms:endpoint", emulator.endpoint], ["alicloud-kms:region", emulator.region],
      ["alicloud:accessKey", ACCESS_KEY.accessKeyId], ["consumers", "default"]]) await project.ok("config", "set", key!, value!);
    for (const [key, value] of [["alicloud:secretKey", ACCESS_KEY.accessKeySecret], ["shared", shared], ["pin", pin], ["trigger", trigger]]) {
      await project.ok("config", "set", "--secret", key!, value!);
    }
    const warning = (resource: string) => new RegExp(`${resource} is a dynamic resource on Pulumi's default pulumi-nodejs provider, which the engine ` +
      "configures with the whole stack configuration and keeps in state: this stack's secret config \\(([^)]+)\\) is stored there, readable with " +
      "pulumi stack export --show-secrets, including what EncryptedValue keeps out of state\\. Give it a provider without configuration: " +
      "\\{ provider: dynamicProviderWithoutConfig\\(\\) \\}, imported from pulumi-alicloud-kms-encrypted");
    const runs = [await project.ok("preview"), await project.ok("up", "--yes", "--skip-preview")];
    for (const run of runs) {
      const output = `${run.stdout}${run.stderr}`.replace(/\s+/g, " ");
      for (const consumer of ["direct-consumer", "nested-consumer"]) {
        const named = output.match(warning(consumer))?.[1];
        assert.ok(named, `${consumer} is named in a warning:\n${output.slice(-3000)}`);
        assert.deepEqual(named.split(", ").sort(), ["alicloud:secretKey", "kms-security:pin", "kms-security:shared", "kms-security:trigger"]);
      }
      assert.doesNotMatch(output, /encrypted-value|alicloud-kms-encrypted is a dynamic resource|password is a dynamic resource/, "EncryptedValue has its own provider");
      for (const form of secretForms(pin)) assert.equal(output.includes(form), false, "the warning names keys, never values");
    }
    const withDefault = await exported(true);
    assert.ok(withDefault.includes("pulumi:providers:pulumi-nodejs::default"), "the engine's default provider is in state");
    assert.ok(withDefault.includes(pin), "what the warning says is true: the default provider keeps the secret config");

    await project.ok("config", "set", "consumers", "without-config");
    const fixed = await project.ok("up", "--yes", "--skip-preview");
    assert.doesNotMatch(`${fixed.stdout}${fixed.stderr}`, /is a dynamic resource on Pulumi's default/);
    const state = await exported(true);
    assert.equal(state.includes("pulumi:providers:pulumi-nodejs::default"), false, "the default provider is gone");
    assert.ok(state.includes("pulumi:providers:pulumi-nodejs::dynamic-provider-without-config"));
    // The trigger is kept on purpose, as a secret input of its value; the plaintexts are not kept.
    for (const [name, secret] of [["shared", shared], ["pin", pin]] as const) {
      for (const form of secretForms(secret)) assert.equal(state.includes(form), false, `the ${name} config secret is not in state`);
    }
  });

  it("a malformed ~/.aliyun/config.json fails the preview in our words; its secret appears nowhere", async () => {
    await project.ok("stack", "init", "profile");
    await project.ok("config", "set", "alicloud-kms:endpoint", emulator.endpoint);
    await project.ok("config", "set", "alicloud-kms:region", emulator.region);
    await project.ok("config", "set", "alicloud:profile", "broken");
    for (const [key, value] of [["shared", shared], ["pin", pin], ["trigger", trigger]]) await project.ok("config", "set", "--secret", key!, value!);
    const run = await project.pulumi("preview");
    assert.notEqual(run.code, 0);
    const output = run.stdout + run.stderr;
    assert.match(output, /CredentialsUnavailable — alicloud:profile 'broken': ~\/\.aliyun\/config\.json is not valid JSON/);
    for (const form of secretForms(profileSecret)) assert.equal(output.includes(form), false, "the profile's secret is quoted");
    assert.doesNotMatch(output, /https:\/\/undefined|\n\s+at .+:\d+:\d+\)?\n/);
  });

  it("a short or all-digit plaintext in digest mode gets a warning naming the value and the fix, never the plaintext", async () => {
    await project.ok("stack", "init", "guessable");
    for (const [key, value] of [["alicloud-kms:endpoint", emulator.endpoint], ["alicloud-kms:region", emulator.region],
      ["alicloud:accessKey", ACCESS_KEY.accessKeyId]]) await project.ok("config", "set", key!, value!);
    const shortPin = "90817263";
    for (const [key, value] of [["alicloud:secretKey", ACCESS_KEY.accessKeySecret], ["shared", shared], ["pin", shortPin], ["trigger", trigger]]) {
      await project.ok("config", "set", "--secret", key!, value!);
    }
    // The digest is made once the stack's salt exists: from the first up on, every preview warns.
    await project.ok("up", "--yes", "--skip-preview");
    const run = await project.ok("preview");
    const output = `${run.stdout}${run.stderr}`.replace(/\s+/g, " ");
    assert.match(output, /pin: the plaintext is digits only, and in digest mode whoever holds the stack's secrets can test guesses against its digest offline .* set changeDetection: "trigger" to keep no digest/);
    assert.doesNotMatch(output, /password: the plaintext is|triggered: the plaintext is/, "long values and trigger mode are not warned about");
    assert.doesNotMatch(output, new RegExp(shortPin), "the plaintext itself is never printed");
  });

  it("a plaintext that is not a Pulumi secret gets a warning at preview naming the value (and entries), never the plaintext", async () => {
    await project.ok("stack", "select", "guessable");
    await project.ok("config", "set", "literals", "true");
    const run = await project.ok("preview");
    const output = `${run.stdout}${run.stderr}`.replace(/\s+/g, " ");
    assert.match(output, /EncryptedValue literal: plaintext is not a Pulumi secret: this package never stores it, but it sits in the program's source or in plain stack config\. Read it with config\.requireSecret/);
    assert.match(output, /EncryptedValues mixed: the plaintexts of inSource are not Pulumi secrets: this package never stores it/);
    assert.doesNotMatch(output, /fromConfig are|pin: plaintext is|password: plaintext is/, "secrets from config are not warned about");
    assert.doesNotMatch(output, /written-into-the-source/, "the plaintext itself is never printed");
    await project.ok("config", "rm", "literals");
  });
});
