import assert from "node:assert/strict";
import { decrypt } from "../../sdk/decrypt";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { type Step, Stack } from "../support/engine-steps";
import { ACCESS_KEY, type Deployment, stackConfig } from "./fixtures";

// What the real-service files (real-service.test.ts, real-service-gateways.test.ts) share.

export type Props = Record<string, unknown>;
export const failed = (step: Step) => {
  assert.ok(step.op === "failed", `expected a check failure, got ${JSON.stringify(step)}`);
  return step.failures;
};
export const envFor = (d: Deployment, endpoint = d.emulator.endpoint): NodeJS.ProcessEnv => ({
  ALIBABA_CLOUD_KMS_ENDPOINT: endpoint,
  ALIBABA_CLOUD_REGION_ID: d.emulator.region,
  ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
});
export const newest = (d: Deployment, keyId: string) =>
  d.emulator.store.primaryVersion(d.emulator.store.resolveKey(keyId)).keyVersionId;
export const opened = async (d: Deployment, o: Props, endpoint?: string) => (o.envelope
  ? await decrypt(String(o.envelope), { env: envFor(d, endpoint) })
  : await decrypt({ ciphertextBlob: String(o.ciphertextBlob), keyId: String(o.keyId), keyVersionId: String(o.keyVersionId),
      algorithm: o.algorithm as "RSAES_OAEP_SHA_256" }, { env: envFor(d, endpoint) })).toString();

/** A provider process configured for another endpoint than the deployment's. */
export async function stackAt(d: Deployment, config: Props): Promise<Stack> {
  const host = await DynamicProviderHost.start();
  await host.configure({ ...stackConfig(d.emulator), ...config });
  return new Stack(host, d.providerBlob);
}
