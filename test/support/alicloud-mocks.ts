import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { DigestSaltProvider, EncryptedRandomPasswordProvider, EncryptedValueProvider, IntegrityKeyProvider } from "../../provider";
import { after, before } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { ACCESS_KEY, seed } from "../provider/fixtures";
import { applicationEnv } from "./application-env";
import { call, officialClient } from "./kms-client";

// An @pulumi/alicloud program under pulumi.runtime.setMocks, with mocks backed by the KMS emulator:
// kms.Key and kms.Alias are created there, EncryptedValue goes through the real provider's check
// and create (HTTP to the emulator), and a resource that takes kmsEncryptedPassword gets what the
// alicloud provider would set at apply: Decrypt of it, with kmsEncryptionContext as JSON, through
// Alibaba's official SDK; kms.Ciphertext Encrypts its plaintext string as the provider does. Every
// other resource echoes its inputs.

type Props = Record<string, unknown>;

export interface Registered {
  type: string;
  inputs: Props;
  /** For a resource with kmsEncryptedPassword: the Plaintext Decrypt returned, as the password set. */
  password?: string;
}

export async function mockAlicloud(emulator: KmsEmulator, project: string, config: Record<string, string>, secretKeys: string[]) {
  const registered = new Map<string, Registered>();
  const provider = new EncryptedValueProvider();
  await provider.configure({ config: new Map<string, string>() } as unknown as dynamic.ConfigureRequest);
  const passwords = new EncryptedRandomPasswordProvider();
  await passwords.configure({ config: new Map<string, string>() } as unknown as dynamic.ConfigureRequest);
  const kms = officialClient(emulator);
  const prefixed = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${project}:${k}`, v]));
  pulumi.runtime.setAllConfig(prefixed(config), secretKeys.map((k) => `${project}:${k}`));
  await pulumi.runtime.setMocks({
    newResource: async (args) => {
      const entry: Registered = { type: args.type, inputs: args.inputs };
      registered.set(`${args.type} ${args.name}`, entry);
      if (typeof args.inputs.kmsEncryptedPassword === "string") {
        const context = args.inputs.kmsEncryptionContext as Record<string, string> | undefined;
        const opened = await call(kms, "Decrypt", {
          CiphertextBlob: args.inputs.kmsEncryptedPassword,
          ...(context && Object.keys(context).length > 0 ? { EncryptionContext: JSON.stringify(context) } : {}),
        });
        entry.password = String(opened.Plaintext);
      }
      switch (args.type) {
        case "alicloud:kms/key:Key": {
          const answer = await call(kms, "CreateKey", { KeySpec: args.inputs.keySpec, KeyUsage: args.inputs.keyUsage });
          const meta = answer.KeyMetadata as Props;
          return { id: String(meta.KeyId), state: { ...args.inputs, arn: meta.Arn } };
        }
        case "alicloud:kms/ciphertext:Ciphertext": {
          // As the alicloud provider does: the plaintext string as Encrypt's Plaintext, unchanged.
          const context = args.inputs.encryptionContext as Record<string, string> | undefined;
          const plaintext = args.inputs.plaintext as string | { value: string };
          const answer = await call(kms, "Encrypt", {
            KeyId: args.inputs.keyId, Plaintext: typeof plaintext === "string" ? plaintext : plaintext.value,
            ...(context ? { EncryptionContext: JSON.stringify(context) } : {}),
          });
          return { id: `${args.name}-id`, state: { ...args.inputs, ciphertextBlob: answer.CiphertextBlob } };
        }
        case "alicloud:kms/alias:Alias":
          await call(kms, "CreateAlias", { AliasName: args.inputs.aliasName, KeyId: args.inputs.keyId });
          return { id: String(args.inputs.aliasName), state: args.inputs };
        case "pulumi-nodejs:dynamic/alicloud-kms:DigestSalt":
          return { id: "digest-salt", state: (await new DigestSaltProvider().create()).outs };
        case "pulumi-nodejs:dynamic/alicloud-kms:IntegrityKey":
          // As the engine returns it: a secret (the provider marks it so).
          return { id: "integrity-key", state: (await new IntegrityKeyProvider().create()).outs };
        case "pulumi-nodejs:dynamic/alicloud-kms:EncryptedRandomPassword":
        case "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue": {
          const which = args.type.endsWith(":EncryptedValue") ? provider : passwords;
          const checked = await which.check({}, args.inputs);
          if (checked.failures?.length) throw new Error(JSON.stringify(checked.failures));
          const created = await which.create(checked.inputs);
          return { id: created.id, state: created.outs };
        }
        default:
          return { id: `${args.name}-id`, state: args.inputs };
      }
    },
    call: () => ({}),
  }, project, "dev", false);
  return registered;
}

export const outputValue = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

/**
 * For a test file about one example: the emulator (the fixtures' seed) found the way an
 * application finds KMS, the mocks registered for `project`, and the emulator closed after the file.
 */
export function mockedExample(project: string, config: Record<string, string>, secretKeys: string[]) {
  const state: { emulator?: KmsEmulator; registered: Map<string, Registered> } = { registered: new Map() };
  before(async () => {
    state.emulator = await startKmsEmulator({ seed });
    Object.assign(process.env, applicationEnv(state.emulator, ACCESS_KEY));
    state.registered = await mockAlicloud(state.emulator, project, config, secretKeys);
  });
  // An open emulator keeps the file's process alive, and node --test (Node 20) waits for it forever.
  after(() => state.emulator?.close());
  return state;
}
