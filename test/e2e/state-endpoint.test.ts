import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { PulumiProject, removeRoot, tempRoot } from "./pulumi-project";

// `pulumi refresh` configures the provider from state. An endpoint edited there would receive the
// operator's signed DescribeKey requests (AccessKeyId, STS token; v1 signatures do not sign the
// host, so they replay). Through the real CLI: the edited endpoint is refused before any request,
// in our words, saying how to allow it; with the original endpoint put back, refresh works again.

const ACCESS_KEY = { accessKeyId: "LTAIstateendpoint", accessKeySecret: "state-endpoint-e2e-access-key-5e4d3c" };
type Resource = { type: string; urn: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };

describe("an endpoint edited into state, through the real CLI", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let project: PulumiProject;

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: { accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-sym", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [] },
    });
    project = await PulumiProject.forEmulator(root, emulator, ACCESS_KEY, "dev", join(__dirname, "symmetric-program/index.js"), "kms-state-endpoint");
    await project.configure({ keyId: "key-sym" }, { dbPassword: `password-${randomBytes(12).toString("hex")}` });
    await project.ok("config", "set", "--path", "context.app", "billing");
    await project.ok("up", "--yes", "--skip-preview");
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  const withProviderEndpoint = async (endpoint: string) => {
    const exported = JSON.parse((await project.ok("stack", "export")).stdout) as { deployment: { resources: Resource[] } };
    const provider = exported.deployment.resources.find((r) => r.type === "pulumi:providers:pulumi-nodejs" && r.urn.endsWith("::alicloud-kms-encrypted"));
    assert.ok(provider, "the package's provider is in state");
    for (const props of [provider.inputs, provider.outputs]) if (props) props["alicloud-kms:endpoint"] = endpoint;
    const file = join(root, "edited-state.json");
    writeFileSync(file, JSON.stringify(exported));
    await project.ok("stack", "import", "--file", file);
  };

  it("refresh refuses it before any request, and works again once it is KMS's or the emulator's", async () => {
    await withProviderEndpoint("https://kms-capture.invalid");
    emulator.resetStats();
    const refused = await project.pulumi("refresh", "--yes", "--skip-preview");
    assert.notEqual(refused.code, 0);
    const printed = `${refused.stdout}${refused.stderr}`.replace(/\s+/g, " ");
    assert.match(printed, /alicloud-kms:endpoint: 'https:\/\/kms-capture\.invalid' is neither KMS's HTTPS endpoint for a region .* set ALIBABA_CLOUD_KMS_ENDPOINT to it there\. Nothing was sent/);
    assert.doesNotMatch(printed, new RegExp(ACCESS_KEY.accessKeySecret));
    assert.deepEqual(emulator.stats().calls, {}, "no request reached KMS either");

    await withProviderEndpoint(emulator.endpoint);
    await project.ok("refresh", "--yes", "--skip-preview");
  });
});
