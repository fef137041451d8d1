import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decrypt } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { secretForms } from "../support/secret-forms";
import { packPackage, PulumiProject, removeRoot, tempRoot } from "./pulumi-project";
import { applicationEnv } from "../support/application-env";

// Previews that tell the truth and update plans that hold, through the real Pulumi CLI: for a new
// stack, a no-op, a plaintext change, a key rotation, an alias moved, an algorithm change, envelope
// and encryptLocally toggled, a stale ciphertext and a --target on one value, `pulumi preview
// --json --save-plan plan.json` then `pulumi up --plan plan.json` must succeed, and every output a
// preview shows (the plan file keeps them all) must be what up then makes, or unknown. Each value
// has a resource consuming its ciphertext, which must preview as an update exactly when the
// ciphertext will change; two EncryptedValues, consumed whole, never change. The preview says why a
// value will be re-encrypted; the plan file, the state and every output are searched for the
// plaintexts. And a --target on a stack's first up: the message says what to add, and with it
// the program runs with every other value left uncreated.

const ACCESS_KEY = { accessKeyId: "LTAIplans", accessKeySecret: "plans-access-key-secret-6a5b4c3d" };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
type Json = Record<string, unknown>;
type Outputs = {
  values: Record<string, Json>; consumed: Record<string, string>;
  maps: Record<string, Json>; mapsConsumed: Record<string, string>;
};
/** The program's two EncryptedValues, which no step of this test changes. */
const MAPS = ["map", "map-envelope"];

describe("previews that tell the truth, and update plans that hold", { timeout: 30 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  const plaintexts: Record<string, string> = {};
  const everyPlaintext: string[] = [];
  const values: Record<string, Json> = {
    follows: { keyId: "alias/app" },
    envelope: { keyId: "key-other", envelope: true },
    sm2: { keyId: "key-sm2" },
    algorithm: { keyId: "alias/app", algorithm: "RSAES_OAEP_SHA_256" },
    local: { keyId: "key-rsa", encryptLocally: false },
  };
  let planNumber = 0;

  const setValues = () => project.ok("config", "set", "values", JSON.stringify(values));
  const setPlaintext = async (name: string) => {
    plaintexts[name] = marker(name);
    everyPlaintext.push(plaintexts[name]);
    await project.ok("config", "set", "--secret", "plaintexts", JSON.stringify(plaintexts));
  };
  const urnOf = (name: string) => `urn:pulumi:dev::kms-plans::pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::${name}`;

  /**
   * preview --json --save-plan, then up --plan: both succeed; returns what the preview said (ops,
   * info diagnostics, the EncryptedValues' and the stack's preview outputs) and the outputs after up.
   */
  async function previewThenApplyPlan(targets: string[] = []) {
    const targetArgs = targets.flatMap((name) => ["--target", urnOf(name)]);
    const plan = join(root, `plan-${++planNumber}.json`);
    const before = (await project.outputs()) as unknown as Outputs | Json;
    const preview = await project.ok("preview", "--json", "--save-plan", plan, ...targetArgs);
    const json = JSON.parse(preview.stdout) as { steps: Json[]; diagnostics?: Json[] };
    const up = await project.pulumi("up", "--yes", "--plan", plan, "--skip-preview", ...targetArgs);
    assert.equal(up.code, 0, `up --plan failed:\n${up.stdout.slice(-3000)}\n${up.stderr.slice(-2000)}`);
    assert.match(up.stdout, /Outputs:/, "the stack's outputs are kept and shown");
    const planFile = readFileSync(plan, "utf8");
    const resourcePlans = (JSON.parse(planFile) as { resourcePlans: Record<string, { state?: Json }> }).resourcePlans;
    const stackPlan = Object.entries(resourcePlans).find(([urn]) => urn.includes("pulumi:pulumi:Stack"))![1];
    return {
      ops: PulumiProject.ops(preview),
      reasons: new Map((json.diagnostics ?? []).filter((d) => d.severity === "info" && typeof d.urn === "string")
        .map((d) => [String(d.urn).split("::").pop()!, String(d.message).trim()])),
      // What the program saw of each value in the preview (the stack's outputs, as the plan keeps them).
      previewed: (stackPlan.state ?? before) as unknown as Outputs,
      previewedState: new Map(json.steps.filter((s) => String(s.urn).includes(":EncryptedValue::"))
        .map((s) => [String(s.urn).split("::").pop()!, ((s.newState as Json | undefined)?.outputs ?? {}) as Json])),
      after: (await project.outputs()) as unknown as Outputs,
      previewOutput: preview.stdout,
      planFile,
    };
  }

  /** Every output a preview showed is what up made, or unknown; and changed values show unknown ciphertexts. */
  function assertTruthful(run: Awaited<ReturnType<typeof previewThenApplyPlan>>, reencrypted: string[]) {
    for (const [name, previewed] of Object.entries(run.previewed.values)) {
      const actual = run.after.values[name]!;
      for (const [field, shown] of Object.entries(previewed)) {
        if (shown === UNKNOWN) continue;
        const made = actual[field];
        assert.deepEqual(shown, made, `${name}.${field}: the preview showed ${JSON.stringify(shown)}, up made ${JSON.stringify(made)}`);
        assert.notEqual(typeof shown, "boolean", `${name}.${field} is never a boolean`);
      }
      if (reencrypted.includes(name)) {
        assert.equal(previewed.ciphertextBlob, UNKNOWN, `${name}: a ciphertext about to change shows as unknown`);
        assert.equal(previewed.envelope, UNKNOWN, `${name}: an envelope about to change shows as unknown`);
      } else {
        assert.equal(previewed.ciphertextBlob, actual.ciphertextBlob, `${name}: an unchanged value's ciphertext shows as it is`);
      }
    }
    // The EncryptedValues' own preview state (what the engine returns to the program): keyId the
    // key's own ID, no boolean envelope.
    for (const [name, state] of run.previewedState) {
      if (typeof state.keyId === "string" && state.keyId !== UNKNOWN) assert.match(state.keyId, /^key-/, `${name}: the key's own ID`);
      assert.notEqual(typeof state.envelope, "boolean", `${name}: envelope is never the boolean input`);
    }
  }

  type Run = Awaited<ReturnType<typeof previewThenApplyPlan>>;
  function assertOps(run: Run, reencrypted: string[], reason: Record<string, RegExp> = {}) {
    for (const name of Object.keys(values)) {
      const expected = reencrypted.includes(name) ? "update" : "same";
      // preview --json lists no step for a resource that stays the same.
      assert.equal(run.ops.get(name) ?? "same", expected, `${name} previews as ${expected}`);
      const why = expected === "update" ? "changes" : "does not";
      assert.equal(run.ops.get(`consumer-${name}`) ?? "same", expected, `consumer-${name} previews as ${expected}, as its ciphertext ${why}`);
      if (reencrypted.includes(name)) {
        assert.match(run.reasons.get(name) ?? "", reason[name] ?? /^will be re-encrypted: /, `${name}: the preview says why`);
      } else {
        assert.equal(run.reasons.get(name), undefined, `${name}: no reason given for a value that stays`);
      }
    }
    assertMapsStay(run);
  }

  /** The maps stay as they are: same, their consumers same, every map the preview showed exactly as up left it. */
  function assertMapsStay(run: Run) {
    for (const name of MAPS) {
      assert.equal(run.ops.get(name) ?? "same", "same", `${name} previews as same`);
      assert.equal(run.ops.get(`consumer-${name}`) ?? "same", "same", `consumer-${name} previews as same, as neither of its maps changes`);
      assert.deepEqual(run.previewed.maps[name], run.after.maps[name], `${name}: the preview shows both maps as they are, neither unknown`);
      const { ciphertexts, envelopes } = run.after.maps[name] as Record<string, Record<string, string>>;
      assert.equal(run.after.mapsConsumed[name], JSON.stringify([ciphertexts, envelopes]), `consumer-${name} holds both maps`);
    }
  }

  const decryptsAll = async (out: Outputs) => {
    const env = applicationEnv(emulator, ACCESS_KEY);
    for (const [name, o] of Object.entries(out.values)) {
      const input = typeof o.envelope === "string" ? o.envelope
        : { ciphertextBlob: String(o.ciphertextBlob), keyId: String(o.keyId), keyVersionId: String(o.keyVersionId), algorithm: o.algorithm as "SM2PKE" };
      assert.equal((await decrypt(input, { env })).toString(), plaintexts[name], `${name} decrypts`);
      assert.equal(out.consumed[name], o.envelope ?? o.ciphertextBlob, `consumer-${name} holds the current ciphertext`);
    }
  };

  const nothingStored = async (step: string, run?: { planFile: string; previewOutput: string }) => {
    const stored = [await project.everythingStored(), ...project.transcript, run?.planFile ?? "", run?.previewOutput ?? ""].join("\n");
    for (const secret of everyPlaintext) {
      for (const form of secretForms(secret)) assert.equal(stored.includes(form), false, `${step}: a plaintext in state, a plan file or output`);
    }
    assert.doesNotMatch(run?.planFile ?? "", /scrypt\$/, `${step}: the plan file holds no digest in clear`);
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: [
          { keyId: "key-rsa", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] },
          { keyId: "key-other", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" },
          { keyId: "key-sm2", keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
        ],
        certificates: [],
      },
    });
    project = await PulumiProject.create(root, packPackage(root), join(__dirname, "plans-program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }, "kms-plans");
    await project.ok("stack", "init", "dev");
    for (const name of Object.keys(values)) plaintexts[name] = marker(name);
    const mapEntries = { first: marker("first"), second: marker("second") };
    everyPlaintext.push(...Object.values(plaintexts), ...Object.values(mapEntries));
    await project.configure(
      { "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, values: JSON.stringify(values) },
      { plaintexts: JSON.stringify(plaintexts), mapEntries: JSON.stringify(mapEntries) },
    );
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("a new stack: the plan applies; the preview showed each key's own ID and the versions up then used", async () => {
    const run = await previewThenApplyPlan();
    for (const name of Object.keys(values)) {
      assert.equal(run.ops.get(name), "create");
      const previewed = run.previewed.values[name]!;
      assert.equal(previewed.keyId, run.after.values[name]!.keyId, `${name}: the key's own ID, never the alias`);
      assert.match(String(previewed.keyId), /^key-/);
      assert.equal(previewed.ciphertextBlob, UNKNOWN);
    }
    assertTruthful(run, Object.keys(values));
    await decryptsAll(run.after);
    await nothingStored("new stack", run);
  });

  it("a no-op: every value and consumer same, every preview output exactly as it is", async () => {
    const run = await previewThenApplyPlan();
    assertOps(run, []);
    assertTruthful(run, []);
    await nothingStored("no-op", run);
  });

  it("a plaintext change: that value and its consumer update, the preview says the plaintext changed", async () => {
    await setPlaintext("follows");
    const run = await previewThenApplyPlan();
    assertOps(run, ["follows"], { follows: /^will be re-encrypted: the plaintext changed \(revision 1 → 2\)$/ });
    assertTruthful(run, ["follows"]);
    await decryptsAll(run.after);
    await nothingStored("plaintext change", run);
  });

  it("a rotation to a new key version: the values following the key update, under the version the preview named", async () => {
    const { KeyVersion } = await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-rsa" });
    const version = String((KeyVersion as Json).KeyVersionId);
    const run = await previewThenApplyPlan();
    const moved = ["follows", "algorithm", "local"];
    assertOps(run, moved, Object.fromEntries(moved.map((n) => [n, new RegExp(`^will be re-encrypted: the key version changed \\(.* → ${version}\\)$`)])));
    for (const name of moved) assert.equal(run.previewed.values[name]!.keyVersionId, version, `${name}: the preview named the new version`);
    assertTruthful(run, moved);
    await decryptsAll(run.after);
  });

  it("an alias moved to another key: its followers update, and the preview shows the new key's ID", async () => {
    await call(officialClient(emulator), "UpdateAlias", { AliasName: "alias/app", KeyId: "key-other" });
    const run = await previewThenApplyPlan();
    assertOps(run, ["follows", "algorithm"], { follows: /the key changed \(key-rsa → key-other\)/, algorithm: /the key changed \(key-rsa → key-other\)/ });
    assert.equal(run.previewed.values.follows!.keyId, "key-other");
    assertTruthful(run, ["follows", "algorithm"]);
    await decryptsAll(run.after);
  });

  it("an algorithm change re-encrypts that value alone", async () => {
    values.algorithm = { ...values.algorithm, algorithm: "RSAES_OAEP_SHA_1" };
    await setValues();
    const run = await previewThenApplyPlan();
    assertOps(run, ["algorithm"], { algorithm: /the algorithm changed \(RSAES_OAEP_SHA_256 → RSAES_OAEP_SHA_1\)/ });
    assert.equal(run.previewed.values.algorithm!.algorithm, "RSAES_OAEP_SHA_1");
    assertTruthful(run, ["algorithm"]);
    await decryptsAll(run.after);
  });

  it("envelope toggled off and on: never a boolean where the envelope string goes", async () => {
    values.envelope = { keyId: "key-other" };
    await setValues();
    const off = await previewThenApplyPlan();
    assertOps(off, ["envelope"], { envelope: /envelope encryption switched off/ });
    assertTruthful(off, ["envelope"]);
    const direct = JSON.parse(Buffer.from(String(off.after.values.envelope!.envelope), "base64").toString()) as Json;
    assert.equal(direct.encryptedDataKey, undefined, "switched off: the envelope output is the direct form");
    values.envelope = { keyId: "key-other", envelope: true };
    await setValues();
    const on = await previewThenApplyPlan();
    assertOps(on, ["envelope"], { envelope: /envelope encryption switched on/ });
    assert.equal(on.previewed.values.envelope!.envelope, UNKNOWN);
    assertTruthful(on, ["envelope"]);
    await decryptsAll(on.after);
  });

  it("encryptLocally toggled: nothing to re-encrypt, and the plan holds", async () => {
    values.local = { keyId: "key-rsa", encryptLocally: true };
    await setValues();
    const run = await previewThenApplyPlan();
    assertOps(run, []);
    assertTruthful(run, []);
  });

  it("a stale ciphertext (refresh found the key disabled, since enabled): the preview says so", async () => {
    await call(officialClient(emulator), "DisableKey", { KeyId: "key-sm2" });
    await project.ok("refresh", "--yes", "--skip-preview");
    await call(officialClient(emulator), "EnableKey", { KeyId: "key-sm2" });
    const run = await previewThenApplyPlan();
    assertOps(run, ["sm2"], { sm2: /^will be re-encrypted: the last refresh found the stored ciphertext stale \(key key-sm2 is Disabled; it cannot decrypt this ciphertext\)$/ });
    assertTruthful(run, ["sm2"]);
    await decryptsAll(run.after);
  });

  it("--target on a stack's first up: refused in words that say what to add; with the stack's own two, only the target is created", async () => {
    await project.ok("stack", "init", "fresh");
    const fresh = marker("fresh");
    everyPlaintext.push(fresh);
    try {
      await project.configure(
        { "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region, values: JSON.stringify(values) },
        { plaintexts: JSON.stringify(plaintexts), mapEntries: JSON.stringify({ first: fresh }) },
      );
      const follows = urnOf("follows").replace(":dev::", ":fresh::");
      const alone = await project.pulumi("up", "--yes", "--skip-preview", "--target", follows);
      assert.notEqual(alone.code, 0);
      const printed = alone.stdout + alone.stderr;
      const said = printed.replace(/\s+/g, " ");
      assert.match(said, /integrity key \(resource alicloud-kms-encrypted-integrity-key\) is missing in state\. If this is pulumi up --target/);
      assert.match(said, /add --target '\*\*::alicloud-kms-encrypted-\*'/);
      assert.doesNotMatch(printed, /^\s+at |\.[jt]s:\d+/m, "no stack trace");
      // As the message says. Every other value, map and consumer is left out, and the program does not fail on them.
      await project.ok("up", "--yes", "--skip-preview", "--target", follows, "--target", "**::alicloud-kms-encrypted-*");
      const state = JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: { urn: string; type: string }[] } };
      const ours = state.deployment.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))
        .map((r) => r.urn.split("::").pop()).sort();
      assert.deepEqual(ours, ["alicloud-kms-encrypted-digest-salt", "alicloud-kms-encrypted-integrity-key", "follows"]);
      const created = (await project.outputs()) as unknown as Outputs;
      const env = applicationEnv(emulator, ACCESS_KEY);
      assert.equal((await decrypt(String(created.values.follows!.envelope), { env })).toString(), plaintexts.follows);
      assert.equal(created.values.sm2?.envelope, undefined, "a value not created yet has no envelope, as it has no ciphertext");
      await project.ok("up", "--yes", "--skip-preview");
      await decryptsAll((await project.outputs()) as unknown as Outputs);
      await project.ok("destroy", "--yes", "--skip-preview");
    } finally {
      await project.ok("stack", "select", "dev");
    }
  });

  it("--target on one value: only it is previewed and applied, plan and all", async () => {
    await setPlaintext("sm2");
    await setPlaintext("local");
    const run = await previewThenApplyPlan(["sm2"]);
    assert.equal(run.ops.get("sm2"), "update");
    assert.notEqual(run.ops.get("local"), "update", "an untargeted value is left alone");
    const state = JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: { urn: string; outputs?: Json }[] } };
    const sm2 = state.deployment.resources.find((r) => r.urn === urnOf("sm2"))!;
    assert.equal(sm2.outputs!.plaintextRevision, 2);
    // The rest follows in a plain up.
    await project.ok("up", "--yes", "--skip-preview");
    await decryptsAll(await project.outputs() as unknown as Outputs);
    await nothingStored("target", run);
  });
});
