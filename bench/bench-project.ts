import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { KmsEmulator, StatsSnapshot } from "../test/kms-emulator";
import { PulumiProject, type Run } from "../test/e2e/pulumi-project";
import { sampleProviderMemory } from "./provider-memory";

// One Pulumi project running bench/program with the real CLI, one stack per (program, N), and the
// measurement of a single pulumi command: wall time, the KMS calls the emulator served, the
// provider process's peak memory and the engine's resource summary.

export const BENCH_KEY = "key-bench";
export const BENCH_ACCESS_KEY = { accessKeyId: "LTAIbenchmark", accessKeySecret: "bench-secret-5d4c3b2a1f0e" };
export const PROGRAMS = ["baseline", "api", "local", "map"] as const;
export type Program = (typeof PROGRAMS)[number];
export const OPS = ["preview", "create", "unchanged"] as const;
export type Op = (typeof OPS)[number];

export interface Measurement {
  wallSeconds: number;
  /** Calls by action; DryRun calls counted apart as "<Action>:DryRun". */
  kmsCalls: Record<string, number>;
  providerPeakMiB: number;
  /** The engine's summary, e.g. { created: 202 } or { "to create": 202 }. */
  summary: Record<string, number>;
}

export function seedFor(keys: number) {
  return {
    accessKeys: [BENCH_ACCESS_KEY],
    keys: Array.from({ length: keys }, (_, i) => ({
      keyId: i === 0 ? BENCH_KEY : `${BENCH_KEY}-${i}`,
      keySpec: "RSA_2048" as const,
      keyUsage: "ENCRYPT/DECRYPT" as const,
    })),
    certificates: [],
  };
}

export function callsByAction({ calls, dryRunCalls }: StatsSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [action, count] of Object.entries(calls)) {
    const dry = dryRunCalls[action] ?? 0;
    if (count - dry > 0) out[action] = count - dry;
    if (dry > 0) out[`${action}:DryRun`] = dry;
  }
  return out;
}

/** "Resources:" block of pulumi's output: `+ 202 created`, `202 unchanged`, `+ 202 to create`. */
function summaryOf(run: Run): Record<string, number> {
  const block = run.stdout.split(/^Resources:$/m)[1]?.split(/^Duration:/m)[0] ?? "";
  const summary: Record<string, number> = {};
  for (const m of block.matchAll(/^\s+(?:[+~-]\s+)?(\d+) ([a-z ]+?)\s*$/gm)) summary[m[2]!] = Number(m[1]);
  return summary;
}

export class BenchProject {
  private constructor(readonly project: PulumiProject) {}

  /** `extraEnv`: for every pulumi command, e.g. NODE_OPTIONS=--cpu-prof to profile. */
  static async create(root: string, tarball: string, extraEnv: Record<string, string> = {}): Promise<BenchProject> {
    const project = await PulumiProject.create(root, tarball, join(__dirname, "program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_ACCESS_KEY.accessKeySecret,
      ...extraEnv,
    }, "kms-bench");
    return new BenchProject(project);
  }

  /** A new stack deploying `n` values of `program` against `emulator`; selects it. */
  async stack(name: string, program: Program, n: number, emulator: KmsEmulator, keyId = BENCH_KEY): Promise<void> {
    const p = this.project;
    await p.ok("stack", "init", name);
    await p.ok("config", "set", "alicloud-kms:endpoint", emulator.endpoint);
    await p.ok("config", "set", "alicloud-kms:region", emulator.region);
    await p.ok("config", "set", "bench:count", String(n));
    await p.ok("config", "set", "bench:program", program);
    await p.ok("config", "set", "bench:keyId", keyId);
    await p.ok("config", "set", "--secret", "bench:seed", randomBytes(16).toString("hex"));
  }

  async selectStack(name: string): Promise<void> {
    await this.project.ok("stack", "select", name);
  }

  async removeStack(name: string): Promise<void> {
    await this.project.ok("stack", "rm", name, "--force", "--yes");
  }

  /** Runs one command (`preview`, or `up` for create/unchanged) and measures it. */
  async measure(op: Op, emulator: KmsEmulator, options: { mustSucceed?: boolean } = {}): Promise<Measurement & { run: Run }> {
    const args = op === "preview" ? ["preview"] : ["up", "--yes", "--skip-preview"];
    emulator.resetStats();
    const memory = sampleProviderMemory();
    const started = performance.now();
    const run = options.mustSucceed === false ? await this.project.pulumi(...args) : await this.project.ok(...args);
    const wallSeconds = (performance.now() - started) / 1000;
    const kmsCalls = callsByAction(emulator.stats());
    return { wallSeconds, kmsCalls, providerPeakMiB: memory.stop(), summary: summaryOf(run), run };
  }
}
