import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { realEncryptions } from "../support/emulator-stats";
import { applicationEnv } from "../support/application-env";
import { PulumiProject, type Run, removeRoot, tempRoot } from "./pulumi-project";

// One program through every point where the package meets @pulumi/pulumi and the Node host, once,
// through the real CLI: the end-to-end file CI's toolchain legs run on another Node and another
// @pulumi/pulumi (the other e2e files test subjects no SDK touches, and run once, on the main
// toolchain). A secret in an encryption context refused at preview; `preview --save-plan` that
// encrypts nothing and `up --plan` that encrypts each value once (in a component, in a map); the
// consumer gets the ciphertext; a no-op; a changed entry; a rotation; an `up` interrupted by SIGINT
// and re-run; refresh; destroy; after every step, no form of a plaintext stored or printed.

const ACCESS_KEY = { accessKeyId: "LTAItoolchain", accessKeySecret: "toolchain-e2e-access-key-secret-2f1e0d" };
const marker = (label: string) => `${label}-${randomBytes(16).toString("hex")}`;
type Outputs = {
  envelope: string; ciphertextBlob: string; keyVersionId: string; mapEnvelopes: Record<string, string>; consumed: string;
};

describe("every point the SDK meets @pulumi/pulumi, through the real CLI (the toolchain legs' program)", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;
  let planFile: string;
  const secrets = { db: marker("db"), api: marker("api"), queue: marker("queue") };
  const tenant = marker("tenant");
  const everySecret = [...Object.values(secrets), tenant, ACCESS_KEY.accessKeySecret];

  const setSecrets = async (next: Partial<typeof secrets>) => {
    Object.assign(secrets, next);
    everySecret.push(...Object.values(next));
    await project.configure({}, { secrets: JSON.stringify(secrets) });
  };
  const outputs = async () => (await project.outputs()) as Outputs;
  const encryptions = () => realEncryptions(emulator.stats());
  const changed = (run: Run) => [...PulumiProject.ops(run)].filter(([, op]) => op !== "same").map(([n]) => n).sort();
  /** The value and both map entries, opened by the package installed in the project. */
  const opensToSecrets = async () => {
    const o = await outputs();
    const envelopes = [o.envelope, o.mapEnvelopes.api!, o.mapEnvelopes.queue!];
    const opened = await project.decryptInstalled(envelopes, applicationEnv(emulator, ACCESS_KEY));
    assert.deepEqual(opened, [secrets.db, secrets.api, secrets.queue]);
    assert.equal(o.consumed, o.ciphertextBlob, "the consumer holds the value's ciphertext");
    return o;
  };
  const nothingStored = (step: string) => project.assertNothingStored(everySecret, step);

  before(async () => {
    root = tempRoot();
    planFile = join(root, "plan.json");
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [ACCESS_KEY],
        keys: [
          { keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] },
          { keyId: "key-sym", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" },
        ],
        certificates: [],
      },
    });
    project = await PulumiProject.forEmulator(root, emulator, ACCESS_KEY, "dev", join(__dirname, "toolchain-program/index.js"), "kms-toolchain");
    await project.configure({ secretContext: "true" }, { secrets: JSON.stringify(secrets), tenant });
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("a secret in an encryption context fails the preview with our sentence; nothing is encrypted", async () => {
    emulator.resetStats();
    const run = await project.pulumi("preview");
    assert.notEqual(run.code, 0);
    assert.match(run.stdout + run.stderr, /encryptionContext holds a secret; the context is stored in state and in every envelope as plain text/);
    assert.doesNotMatch(run.stdout + run.stderr, /at .*\.(js|ts):\d+|RunError:/, "no stack trace");
    assert.equal(encryptions(), 0);
    await project.ok("config", "rm", "secretContext");
    await nothingStored("secret context");
  });

  it("preview --save-plan encrypts nothing; up --plan encrypts each value once; all open, the consumer has the ciphertext", async () => {
    emulator.resetStats();
    const preview = PulumiProject.ops(await project.ok("preview", "--json", "--save-plan", planFile));
    for (const name of ["app", "db-password", "app-secrets", "consumer"]) assert.equal(preview.get(name), "create", name);
    assert.equal(encryptions(), 0, "a preview encrypts nothing");
    await project.ok("up", "--yes", "--plan", planFile);
    assert.equal(encryptions(), 3, "the value in the component and the map's two entries");
    await opensToSecrets();
    await nothingStored("preview and up through a plan");
  });

  it("a no-op up changes and encrypts nothing", async () => {
    emulator.resetStats();
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(new Set(PulumiProject.ops(run).values()), new Set(["same"]));
    assert.equal(encryptions(), 0);
  });

  it("one changed entry of the map: the map alone updates, that entry alone is encrypted", async () => {
    const before = await outputs();
    await setSecrets({ api: marker("api-changed") });
    emulator.resetStats();
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(changed(run), ["app-secrets"]);
    assert.equal(encryptions(), 1);
    const after = await opensToSecrets();
    assert.equal(after.mapEnvelopes.queue, before.mapEnvelopes.queue, "the other entry kept byte for byte");
    await nothingStored("a changed entry");
  });

  it("a rotation of the aliased key: the value in the component and its consumer update", async () => {
    const before = await outputs();
    await call(officialClient(emulator), "CreateKeyVersion", { KeyId: "key-app" });
    emulator.resetStats();
    const run = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(changed(run), ["consumer", "db-password"]);
    assert.equal(encryptions(), 1);
    const after = await opensToSecrets();
    assert.notEqual(after.keyVersionId, before.keyVersionId);
  });

  it("an up interrupted by SIGINT while it encrypts, then re-run: it converges, and the next up is a no-op", async () => {
    await setSecrets({ db: marker("db-changed") });
    emulator.resetStats();
    emulator.setFaults({ latencyMs: 3_000, actions: ["AsymmetricEncrypt"] });
    const asked = () => (emulator.stats().calls.AsymmetricEncrypt ?? 0) - (emulator.stats().dryRunCalls.AsymmetricEncrypt ?? 0);
    try {
      const interrupted = await project.interruptWhen(["up", "--yes", "--skip-preview"], () => asked() > 0);
      assert.notEqual(interrupted.code, 0, "the interrupted up did not finish");
    } finally {
      emulator.setFaults({ latencyMs: 0 });
    }
    const rerun = await project.pulumi("up", "--yes", "--skip-preview");
    assert.equal(rerun.code, 0, rerun.stdout.slice(-3000) + rerun.stderr.slice(-3000));
    await opensToSecrets();
    const again = await project.ok("up", "--yes", "--json", "--skip-preview");
    assert.deepEqual(new Set(PulumiProject.ops(again).values()), new Set(["same"]));
    await nothingStored("interrupted and re-run");
  });

  it("refresh finds nothing stale; destroy empties the stack", async () => {
    await project.ok("refresh", "--yes", "--skip-preview");
    type State = { deployment: { resources?: { type: string; outputs?: { staleReason?: string } }[] } };
    const values = (JSON.parse((await project.ok("stack", "export")).stdout) as State).deployment.resources!
      .filter((r) => /:EncryptedValues?$/.test(r.type));
    assert.equal(values.length, 2);
    for (const v of values) assert.equal(v.outputs?.staleReason, "", v.type);
    await project.ok("destroy", "--yes", "--skip-preview");
    const state = JSON.parse((await project.ok("stack", "export")).stdout) as State;
    assert.equal((state.deployment.resources ?? []).length, 0);
    await nothingStored("refresh and destroy");
  });
});
