import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KmsEmulator, type KmsEmulatorOptions, type Seed, startKmsEmulator } from "../kms-emulator";
import { DynamicProviderHost } from "../support/dynamic-provider-host";
import { realEncryptions } from "../support/emulator-stats";
import { Stack, ValuesStack } from "../support/engine-steps";
import { serializedProvider } from "../support/serialized-provider";
import { ENCRYPTED_VALUES_MODULE_SOURCE as VALUES_PROVIDER_BLOB } from "../../sdk/provider-module-source";

// One emulator with every kind of key the provider meets, a dynamic provider host configured the
// way the engine configures it, and a stack to deploy into.

export const ACCESS_KEY = { accessKeyId: "LTAIprovidertest", accessKeySecret: "provider-test-secret-9f8e7d6c5b4a" };

export const seed: Seed = {
  accessKeys: [ACCESS_KEY],
  keys: [
    { keyId: "key-rsa2048", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app"] },
    { keyId: "key-rsa3072", keySpec: "RSA_3072", keyUsage: "ENCRYPT/DECRYPT" },
    { keyId: "key-sm2", keySpec: "EC_SM2", keyUsage: "ENCRYPT/DECRYPT" },
    { keyId: "key-other", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/other"] },
    { keyId: "key-rotating", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" },
    { keyId: "key-sign", keySpec: "RSA_2048", keyUsage: "SIGN/VERIFY" },
    { keyId: "key-disabled", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", keyState: "Disabled" },
    { keyId: "key-pending", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", keyState: "PendingDeletion" },
    { keyId: "key-aes", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/symmetric"] },
    { keyId: "key-sm4", keySpec: "Aliyun_SM4", keyUsage: "ENCRYPT/DECRYPT" },
    { keyId: "key-aes-rotating", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" },
  ],
  certificates: [
    { certificateId: "cert-rsa", keySpec: "RSA_2048" },
    { certificateId: "cert-sm2", keySpec: "EC_SM2", subject: "CN=sm2-cert, C=CN" },
    { certificateId: "cert-revoked", keySpec: "RSA_2048", status: "REVOKED" },
  ],
};

export interface Deployment {
  emulator: KmsEmulator;
  host: DynamicProviderHost;
  stack: Stack;
  keysDir: string;
  providerBlob: string;
  /** EncryptedValues resources in the same deployment (same provider processes). */
  values: ValuesStack;
  /** A new pulumi command: the engine starts a fresh provider process (empty caches, no hand-off). */
  nextCommand(): Promise<void>;
  /** Every response and all output of every host process so far. */
  transcript(): string;
  close(): Promise<void>;
}

export function stackConfig(emulator: KmsEmulator): Record<string, unknown> {
  return {
    "alicloud-kms:endpoint": emulator.endpoint,
    "alicloud-kms:region": emulator.region,
    "alicloud:accessKey": ACCESS_KEY.accessKeyId,
    // Config secrets reach the host wrapped, as the engine sends them.
    "alicloud:secretKey": { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: ACCESS_KEY.accessKeySecret },
  };
}

export interface DeployOptions {
  qps?: number;
  /** More stack configuration, e.g. { "alicloud-kms:encryptLocally": "true" }. */
  config?: Record<string, unknown>;
  /** The emulator's answer variants (see test/kms-emulator/operations/operation.ts). */
  behaviour?: KmsEmulatorOptions["behaviour"];
  /** Another seed than the fixtures' own. */
  seed?: Seed;
}

export async function deploy(options: DeployOptions = {}): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), "kms-provider-"));
  const keysDir = join(dir, "keys");
  const emulator = await startKmsEmulator({
    seed: options.seed ?? seed,
    keysDir,
    ...(options.qps ? { qps: options.qps } : {}),
    ...(options.behaviour ? { behaviour: options.behaviour } : {}),
  });
  const startHost = async () => {
    const host = await DynamicProviderHost.start();
    await host.configure({ ...stackConfig(emulator), ...options.config });
    return host;
  };
  const providerBlob = await serializedProvider();
  const stack = new Stack(await startHost(), providerBlob);
  const values = new ValuesStack(stack.host, VALUES_PROVIDER_BLOB);
  const finished: string[] = [];
  const record = (h: DynamicProviderHost) => finished.push(...h.responses, h.stdout, h.stderr);
  return {
    emulator,
    get host() {
      return stack.host;
    },
    stack,
    values,
    keysDir,
    providerBlob,
    async nextCommand() {
      await stack.host.close();
      record(stack.host);
      stack.host = await startHost();
      values.host = stack.host;
    },
    transcript() {
      const h = stack.host;
      return [...finished, ...h.responses, h.stdout, h.stderr].join("\n");
    },
    async close() {
      await stack.host.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The encryption calls the emulator has served (a DryRun is not one). */
export function encryptCalls(emulator: KmsEmulator): number {
  return realEncryptions(emulator.stats());
}
