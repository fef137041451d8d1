import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { type Step, Stack } from "../support/engine-steps";
import { ACCESS_KEY, deploy, type Deployment } from "./fixtures";

// Where the provider process finds region, endpoint and credentials: stack config first, then the
// alicloud:* keys, then the environment, then @alicloud/credentials' default chain. Each source is
// shown working on its own against the emulator, and the order is shown by conflicting sources.

const inputs = { plaintext: "a", keyId: "key-rsa2048" };
const WRONG = "wrong-secret-0000";
// No ECS metadata service here: without this the default chain would wait for one.
const NO_ECS = { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" };

describe("configuration sources and their order", () => {
  let d: Deployment;
  let place: Record<string, string>;
  before(async () => {
    d = await deploy();
    place = { "alicloud-kms:endpoint": d.emulator.endpoint, "alicloud-kms:region": d.emulator.region };
  });
  after(() => d.close());

  // One provider process per configuration: the host configures a provider only once.
  type Env = Record<string, string>;
  const preview = async (config: Record<string, unknown>, env: Env = {}, files: Env = {}, values = inputs) => {
    const host = await DynamicProviderHost.start({ ...NO_ECS, ...env }, files);
    try {
      await host.configure(config);
      return await new Stack(host, d.providerBlob).preview("v", values);
    } finally {
      await host.close();
    }
  };
  const ok = (step: Step) => assert.deepEqual(step, { op: "create", failures: [] });
  const refused = (step: Step, from: string) => {
    assert.ok(step.op === "failed", JSON.stringify(step));
    // The secret is named where it was read from, beside the ID it must belong to.
    const secretOf: Record<string, string> = {
      "alicloud:accessKey": "alicloud:secretKey", ALIBABA_CLOUD_ACCESS_KEY_ID: "ALIBABA_CLOUD_ACCESS_KEY_SECRET", ALICLOUD_ACCESS_KEY: "ALICLOUD_SECRET_KEY",
    };
    assert.match(step.failures[0]!.reason, new RegExp(`SignatureDoesNotMatch — KMS refused the request signature; check the access key secret in ` +
      `${secretOf[from]} \\(it must be the secret of the access key ID in ${from}\\)`));
  };

  it("ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, or ALICLOUD_ACCESS_KEY/SECRET_KEY, in the environment", async () => {
    const { accessKeyId, accessKeySecret } = ACCESS_KEY;
    ok(await preview(place, { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret }));
    ok(await preview(place, { ALICLOUD_ACCESS_KEY: accessKeyId, ALICLOUD_SECRET_KEY: accessKeySecret }));
  });

  it("region and endpoint from the environment (ALIBABA_CLOUD_REGION_ID, ALIBABA_CLOUD_KMS_ENDPOINT)", async () => {
    ok(await preview({}, {
      ALIBABA_CLOUD_REGION_ID: d.emulator.region,
      ALIBABA_CLOUD_KMS_ENDPOINT: d.emulator.endpoint,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }));
  });

  it("alicloud:profile names a profile of the aliyun CLI's ~/.aliyun/config.json", async () => {
    const cliConfig = JSON.stringify({
      current: "default",
      profiles: [
        { name: "default", mode: "AK", access_key_id: "LTAIother", access_key_secret: WRONG, region_id: "cn-hangzhou" },
        { name: "ci", mode: "AK", access_key_id: ACCESS_KEY.accessKeyId, access_key_secret: ACCESS_KEY.accessKeySecret, region_id: "cn-hangzhou" },
      ],
    });
    ok(await preview({ ...place, "alicloud:profile": "ci" }, {}, { ".aliyun/config.json": cliConfig }));
  });

  it("nothing configured: the default chain reads ~/.alibabacloud/credentials", async () => {
    const file = `[default]\ntype = access_key\naccess_key_id = ${ACCESS_KEY.accessKeyId}\naccess_key_secret = ${ACCESS_KEY.accessKeySecret}\n`;
    ok(await preview(place, {}, { ".alibabacloud/credentials": file }));
  });

  it("no credentials anywhere: a check failure that says where to put them, without waiting", async () => {
    const started = Date.now();
    const step = await preview(place);
    assert.ok(step.op === "failed", JSON.stringify(step));
    const reason = step.failures[0]!.reason;
    assert.match(reason, /CredentialsUnavailable — the default credentials chain found none \(it tries ALIBABA_CLOUD_ACCESS_KEY_ID.*\)\. Set ALIBABA_CLOUD_ACCESS_KEY_ID/);
    // The credentials library's own text ("enviroment", "https://undefined/") is never passed on.
    assert.doesNotMatch(reason, /undefined|enviroment|ENOENT|getaddrinfo/);
    assert.ok(Date.now() - started < 15_000);
  });

  it("a malformed ~/.aliyun/config.json, a missing profile or file: our words, and the file's secret nowhere", async () => {
    const secret = "profile-access-key-secret-d4c3b2a1";
    const profile = { "alicloud:profile": "broken", ...place };
    const truncated = `{"current": "broken", "profiles": [{"name": "broken", "mode": "AK", "access_key_id": "LTAIbroken", "access_key_secret": "${secret}",`;
    const otherProfile = JSON.stringify({ current: "x", profiles: [{ name: "x", mode: "AK", access_key_id: "a", access_key_secret: secret }] });
    const cases: [Record<string, string>, RegExp][] = [
      [{ ".aliyun/config.json": truncated }, /alicloud:profile 'broken': ~\/\.aliyun\/config\.json is not valid JSON; repair it/],
      [{ ".aliyun/config.json": otherProfile }, /alicloud:profile 'broken': ~\/\.aliyun\/config\.json has no profile 'broken'/],
      [{}, /alicloud:profile 'broken': ~\/\.aliyun\/config\.json is missing or unreadable/],
    ];
    for (const [files, message] of cases) {
      const host = await DynamicProviderHost.start({ ...NO_ECS }, files);
      try {
        await host.configure(profile);
        const step = await new Stack(host, d.providerBlob).preview("v", inputs);
        assert.ok(step.op === "failed", JSON.stringify(step));
        assert.match(step.failures[0]!.reason, message);
        const everything = [...host.responses, host.stdout, host.stderr, step.failures[0]!.reason].join("\n");
        assert.equal(everything.includes(secret), false, "the profile's secret is quoted");
      } finally {
        await host.close();
      }
    }
  });

  it("order: stack config beats the environment, ALIBABA_CLOUD_* beats ALICLOUD_*, and so for the region", async () => {
    const right = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    };
    const wrongConfig = { ...place, "alicloud:accessKey": ACCESS_KEY.accessKeyId, "alicloud:secretKey": WRONG };
    refused(await preview(wrongConfig, right), "alicloud:accessKey");
    ok(await preview({ ...wrongConfig, "alicloud:secretKey": ACCESS_KEY.accessKeySecret }, { ...right, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG }));
    refused(await preview(place, { ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG,
      ALICLOUD_ACCESS_KEY: ACCESS_KEY.accessKeyId, ALICLOUD_SECRET_KEY: ACCESS_KEY.accessKeySecret }), "ALIBABA_CLOUD_ACCESS_KEY_ID");
    // alicloud-kms:region beats alicloud:region, which beats ALIBABA_CLOUD_REGION_ID: the
    // not-found message names the region the provider chose.
    const regionOf = async (config: Record<string, unknown>) => {
      const env = { ...right, ALIBABA_CLOUD_REGION_ID: "cn-beijing" };
      const step = await preview(config, env, {}, { plaintext: "a", keyId: "key-nope" });
      return /no such key in region (\S+);/.exec(step.op === "failed" ? step.failures[0]!.reason : "")?.[1];
    };
    const endpoint = { "alicloud-kms:endpoint": d.emulator.endpoint };
    assert.equal(await regionOf({ ...place, "alicloud:region": "cn-shanghai" }), d.emulator.region);
    assert.equal(await regionOf({ ...endpoint, "alicloud:region": "cn-shanghai" }), "cn-shanghai");
    assert.equal(await regionOf(endpoint), "cn-beijing");
  });

  it("a region that is not the key's, behind a configured endpoint, is refused at preview naming the key's region", async () => {
    // The endpoint reaches the key whatever region is configured; the key's ARN says where it lives.
    const config = { "alicloud-kms:endpoint": d.emulator.endpoint, "alicloud-kms:region": "cn-hangzou" };
    const right = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    };
    const step = await preview(config, right, {}, { plaintext: "a", keyId: "alias/app" });
    assert.equal(step.op, "failed");
    assert.deepEqual(step.failures, [{ property: "keyId", reason: `keyId 'alias/app' (key key-rsa2048) is in region ${d.emulator.region} ` +
      `(its ARN says so), not 'cn-hangzou', where this value would say it was encrypted; set the region to ${d.emulator.region}, or pass the key's ARN` }]);
    ok(await preview({ ...config, "alicloud-kms:region": d.emulator.region }, right, {}, { plaintext: "a", keyId: "alias/app" }));
  });
});
