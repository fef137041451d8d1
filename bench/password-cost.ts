import { type KmsEmulator, startKmsEmulator } from "../test/kms-emulator";
import { DynamicProviderHost } from "../test/support/dynamic-provider-host";
import { Stack } from "../test/support/engine-steps";
import { serializedProvider } from "../test/support/serialized-provider";
import { call, officialClient } from "../test/support/kms-client";
import { ACCESS_KEY, seed, stackConfig } from "../test/provider/fixtures";
import { ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE, ENCRYPTED_RANDOM_PASSWORD_TYPE } from "../sdk/provider-module-source";

// What a password no one sees costs next to a value from config: N EncryptedRandomPassword and N
// EncryptedValue (the same key, the same length) created, then carried over a key rotation, through
// the real dynamic provider host against the emulator, side by side in one run: wall time and the
// KMS calls the emulator served (DryRuns apart), for a symmetric key (ReEncrypt) and an RSA key
// (decrypt and encrypt again). Usage: npm run bench:password -- [count]

const count = Number(process.argv[2] ?? 100);
const CONCURRENCY = 16;

type Kind = "value" | "password";
interface Cost {
  seconds: number;
  calls: Record<string, number>;
}

async function timed(emulator: KmsEmulator, run: () => Promise<void>): Promise<Cost> {
  emulator.resetStats();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const { calls, dryRunCalls } = emulator.stats() as { calls: Record<string, number>; dryRunCalls: Record<string, number> };
  const real = Object.fromEntries(Object.entries(calls).map(([a, n]) => [a, n - (dryRunCalls[a] ?? 0)])
    .filter(([, n]) => Number(n) > 0));
  const dry = Object.fromEntries(Object.entries(dryRunCalls).filter(([, n]) => n > 0)
    .map(([a, n]) => [`${a}:DryRun`, n]));
  return { seconds, calls: { ...real, ...dry } };
}

async function inParallel(names: string[], step: (name: string) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < names.length; i = next++) await step(names[i]!);
  }));
}

type Costs = Record<Kind, { create: Cost; rotation: Cost }>;

/** A provider process as one pulumi command has it (fresh caches). */
async function newHost(emulator: KmsEmulator): Promise<DynamicProviderHost> {
  const host = await DynamicProviderHost.start();
  await host.configure(stackConfig(emulator));
  return host;
}

async function measure(emulator: KmsEmulator, valueBlob: string, keyId: string): Promise<Costs> {
  let host = await newHost(emulator);
  try {
    const stacks: Record<Kind, Stack> = {
      value: new Stack(host, valueBlob),
      password: new Stack(host, ENCRYPTED_RANDOM_PASSWORD_MODULE_SOURCE, ENCRYPTED_RANDOM_PASSWORD_TYPE),
    };
    const inputs: Record<Kind, (i: number) => Record<string, unknown>> = {
      value: (i) => ({ plaintext: `config-password-${String(i).padStart(8, "0")}`, keyId }),
      password: () => ({ length: 24, keyId }),
    };
    const names = Array.from({ length: count }, (_, i) => `v${i}`);
    const upAll = (kind: Kind) =>
      timed(emulator, () => inParallel(names, (n) => stacks[kind].up(n, inputs[kind](Number(n.slice(1))))));
    const create = { value: await upAll("value"), password: await upAll("password") };
    await call(officialClient(emulator), "CreateKeyVersion", { KeyId: keyId });
    // The next pulumi up: a new provider process, which sees the new primary version.
    await host.close();
    host = await newHost(emulator);
    stacks.value.host = host;
    stacks.password.host = host;
    const rotation = { value: await upAll("value"), password: await upAll("password") };
    return {
      value: { create: create.value, rotation: rotation.value },
      password: { create: create.password, rotation: rotation.password },
    };
  } finally {
    await host.close();
  }
}

const shown = (calls: Record<string, number>) => Object.entries(calls).sort().map(([a, n]) => `${a} ${n}`).join(", ") || "none";

async function main(): Promise<void> {
  const emulator = await startKmsEmulator({ seed: { ...seed, accessKeys: [ACCESS_KEY] } });
  try {
    const blob = await serializedProvider();
    console.log(`${count} values and ${count} passwords (24 characters), ${CONCURRENCY} at a time, through the dynamic provider host; ` +
      "a value's time includes the SDK's scrypt digest of its plaintext, as a program pays it");
    for (const [label, keyId] of [["symmetric key (Aliyun_AES_256)", "key-aes-rotating"], ["RSA_2048 key", "key-rotating"]] as const) {
      const m = await measure(emulator, blob, keyId);
      console.log(`\n${label}`);
      for (const op of ["create", "rotation"] as const) {
        const [v, p] = [m.value[op], m.password[op]];
        console.log(`  ${op.padEnd(8)} EncryptedValue ${v.seconds.toFixed(2)} s   EncryptedRandomPassword ${p.seconds.toFixed(2)} s   ` +
          `ratio ${(p.seconds / v.seconds).toFixed(2)} ×`);
        console.log(`           calls: value ${shown(v.calls)}`);
        console.log(`                  password ${shown(p.calls)}`);
      }
    }
  } finally {
    await emulator.close();
  }
}

void main();
