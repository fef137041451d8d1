import { readdirSync, readFileSync } from "node:fs";

// Peak resident memory of the provider processes the engine starts while a pulumi command runs (the
// dynamic provider, `…/cmd/dynamic-provider`, or the resource plugin, `pulumi-resource-alicloud-kms.js`),
// from /proc: VmHWM is the kernel's own high-water mark, so polling only has to catch each process
// once before it exits.

const PROVIDERS = ["cmd/dynamic-provider", "pulumi-resource-alicloud-kms"];

function providerPeaksKiB(): Map<number, number> {
  const peaks = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!PROVIDERS.some((p) => cmdline.includes(p))) continue;
      const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      if (hwm) peaks.set(Number(entry), Number(hwm[1]));
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return peaks;
}

/** Samples until stopped; resolves to the largest provider process peak seen, in MiB. */
export function sampleProviderMemory(intervalMs = 100): { stop(): number } {
  let peakKiB = 0;
  const sample = () => {
    for (const kib of providerPeaksKiB().values()) peakKiB = Math.max(peakKiB, kib);
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Math.round(peakKiB / 1024);
    },
  };
}
