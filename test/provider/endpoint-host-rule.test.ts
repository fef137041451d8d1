import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resolveSettings } from "../../provider/kms/settings";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { ACCESS_KEY, deploy, type Deployment, stackConfig } from "./fixtures";

// The provider's endpoints come from stack config, which refresh and destroy read back from state:
// whoever can write the backend could point the operator's signed requests (AccessKeyId, STS
// token, replayable under signature v1) at a host of their own. Config endpoints must be KMS's
// hosts, loopback, or named in the environment too; anything else is refused before any request.

describe("the host rule for endpoints from stack config", () => {
  const config = (values: Record<string, string>) => (key: string) => values[key];
  const problems = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    resolveSettings(config(values), env, { configFromState: true }).problems.map((p) => `${p.setting}: ${p.reason}`);

  it("KMS's hosts and loopback pass; any other host is refused, saying how to allow it", () => {
    for (const endpoint of ["https://kms.cn-hangzhou.aliyuncs.com", "https://kms-vpc.ap-southeast-1.aliyuncs.com",
      "http://127.0.0.1:18080", "http://localhost:9000", "http://[::1]:8080"]) {
      assert.deepEqual(problems({ "alicloud-kms:endpoint": endpoint }), [], endpoint);
    }
    for (const endpoint of ["https://kms.cn-hangzhou.aliyuncs.com.evil.example", "https://evil.example", "http://10.0.0.8:8080",
      "https://kms.cn-hangzhou.aliyuncs.co"]) {
      const [problem] = problems({ "alicloud-kms:endpoint": endpoint });
      assert.match(problem ?? "", /^alicloud-kms:endpoint: '.*' is neither KMS's HTTPS endpoint for a region .* nor loopback; .* set ALIBABA_CLOUD_KMS_ENDPOINT to it there/, endpoint);
    }
    // Security round 4, item 4: KMS's own host names over plain HTTP, or on another port, would carry
    // the signed requests (and, at up, the plaintexts) in clear: scheme and port count, not the name alone.
    for (const endpoint of ["http://kms.cn-hangzhou.aliyuncs.com", "http://kms.cn-hangzhou.aliyuncs.com:8080", "HTTP://KMS.CN-HANGZHOU.ALIYUNCS.COM",
      "http://kms-vpc.cn-hangzhou.aliyuncs.com:80", "https://kms.cn-hangzhou.aliyuncs.com:8443", "http://kms\uff0ecn-hangzhou\uff0ealiyuncs\uff0ecom"]) {
      const [problem] = problems({ "alicloud-kms:endpoint": endpoint });
      assert.match(problem ?? "", /is neither KMS's HTTPS endpoint for a region .*on the default port.* nor loopback/, endpoint);
    }
    assert.deepEqual(problems({ "alicloud-kms:endpoint": "https://kms.cn-hangzhou.aliyuncs.com:443" }), [], "443 is the default port");
    assert.match(problems({ "alicloud-kms:endpoints": "{\"cn-shanghai\":\"https://evil.example\"}" })[0] ?? "",
      /^alicloud-kms:endpoints: cn-shanghai: 'https:\/\/evil\.example' is neither .* set ALIBABA_CLOUD_KMS_ENDPOINTS to it there/);
    assert.match(problems({ "alicloud-kms:endpoints": "{\"cn-shanghai\":\"http://kms.cn-shanghai.aliyuncs.com\"}" })[0] ?? "",
      /^alicloud-kms:endpoints: cn-shanghai: 'http:\/\/kms\.cn-shanghai\.aliyuncs\.com' is neither KMS's HTTPS endpoint/);
  });

  it("a host the environment names too is the operator's word, and passes; the environment's own always do", () => {
    assert.deepEqual(problems({ "alicloud-kms:endpoint": "https://kms-proxy.corp.example" }, { ALIBABA_CLOUD_KMS_ENDPOINT: "https://kms-proxy.corp.example" }), []);
    assert.deepEqual(problems({ "alicloud-kms:endpoints": "{\"cn-shanghai\":\"https://sh.corp.example\"}" },
      { ALIBABA_CLOUD_KMS_ENDPOINTS: "{\"cn-shanghai\":\"https://sh.corp.example\"}" }), []);
    assert.deepEqual(problems({}, { ALIBABA_CLOUD_KMS_ENDPOINT: "https://kms-proxy.corp.example" }), []);
    // The same origin only: scheme and port are part of what the environment names.
    assert.deepEqual(problems({ "alicloud-kms:endpoint": "http://kms.cn-hangzhou.aliyuncs.com:8080" },
      { ALIBABA_CLOUD_KMS_ENDPOINT: "http://kms.cn-hangzhou.aliyuncs.com:8080" }), []);
    for (const [config, env] of [["http://kms-proxy.corp.example", "https://kms-proxy.corp.example"],
      ["https://kms-proxy.corp.example:8443", "https://kms-proxy.corp.example"]]) {
      assert.equal(problems({ "alicloud-kms:endpoint": config! }, { ALIBABA_CLOUD_KMS_ENDPOINT: env! }).length, 1, `${config} under ${env}`);
    }
    // decrypt() and the CLI take their endpoint from the application or operator: no rule.
    assert.deepEqual(resolveSettings(config({ "alicloud-kms:endpoint": "https://kms-proxy.corp.example" }), {}).problems, []);
  });
});

describe("refresh with an endpoint edited into the provider's config", () => {
  let d: Deployment;
  before(async () => {
    d = await deploy();
  });
  after(() => d.close());

  it("fails before any request, in our words", async () => {
    assert.equal((await d.stack.up("v", { plaintext: "host-rule", keyId: "key-rsa2048" })).op, "create");
    // A new command (a refresh), whose provider the engine configures from the config in state.
    await d.nextCommand();
    const host = await DynamicProviderHost.start();
    await host.configure({ ...stackConfig(d.emulator), "alicloud-kms:endpoint": "https://kms-capture.invalid" });
    await d.stack.host.close();
    d.stack.host = host;
    d.emulator.resetStats();
    await assert.rejects(d.stack.refresh("v"), (e: Error) =>
      /alicloud-kms:endpoint: 'https:\/\/kms-capture\.invalid' is neither KMS's HTTPS endpoint for a region/.test(e.message)
      && !e.message.includes(ACCESS_KEY.accessKeySecret));
    assert.deepEqual(d.emulator.stats().calls, {}, "nothing sent");
  });
});
