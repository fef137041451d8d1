import { type KmsEmulator, startKmsEmulator } from "../test/kms-emulator";
import { DynamicProviderHost } from "../test/support/dynamic-provider-host";
import { Stack } from "../test/support/engine-steps";
import { serializedProvider } from "../test/support/serialized-provider";
import { ACCESS_KEY, seed, stackConfig } from "../test/provider/fixtures";

// How long check takes for many values, through the real dynamic provider host against the
// emulator, with the SDK's digest to compare ("digest") and without one ("trigger"), side by side.
// Usage: npm run bench:check -- [count] [concurrency]

const count = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 16);

async function checkAll(emulator: KmsEmulator, blob: string, mode: "digest" | "trigger"): Promise<number> {
  const host = await DynamicProviderHost.start();
  try {
    await host.configure(stackConfig(emulator));
    const stack = new Stack(host, blob);
    // What the program sends, digest included (the SDK computes it, in the program): not timed.
    const inputs = await Promise.all(Array.from({ length: count }, (_, i) => stack.sdkInputs(`v${i}`, {
      plaintext: `secret value number ${i}`,
      keyId: ["key-rsa2048", "key-rsa3072", "key-sm2"][i % 3],
      ...(mode === "trigger" ? { changeDetection: "trigger", trigger: "1" } : {}),
    })));
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const step = await stack.preview(`v${i}`, inputs[i]!);
        if (step.op !== "create") throw new Error(`v${i}: ${JSON.stringify(step)}`);
      }
    }));
    return performance.now() - started;
  } finally {
    await host.close();
  }
}

async function main() {
  const emulator = await startKmsEmulator({ seed: { ...seed, accessKeys: [ACCESS_KEY] } });
  try {
    const blob = await serializedProvider();
    const digest = await checkAll(emulator, blob, "digest");
    const trigger = await checkAll(emulator, blob, "trigger");
    const row = (name: string, ms: number) =>
      `${name.padEnd(8)} ${(ms / 1000).toFixed(2).padStart(7)} s ${(ms / count).toFixed(2).padStart(7)} ms/value ${(ms / trigger).toFixed(2).padStart(6)}×`;
    console.log(`check of ${count} values through the dynamic provider host, ${concurrency} at a time`);
    console.log(`mode         total   per value  vs trigger`);
    console.log(row("digest", digest));
    console.log(row("trigger", trigger));
  } finally {
    await emulator.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
