import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { digestWithSalt, saltFor } from "../provider/crypto/plaintext-digest";
import { type KmsEmulator, startKmsEmulator } from "../test/kms-emulator";
import { packPackage, removeRoot, tempRoot } from "../test/e2e/pulumi-project";
import { BenchProject, type Measurement, type Op, OPS, PLUGIN_PROGRAMS, type Program, PROGRAMS, seedFor } from "./bench-project";

// `npm run bench [-- --sizes 1,50,200,1000] [--programs baseline,wide,api,local,map,plugin-node,plugin-yaml,plugin-python]
//   [--repeat 1] [--latency <ms>] [--json <file>] [--no-throttled] [--pulumi-env NAME=VALUE]… [--profile <dir>]`
// The real Pulumi CLI against the emulator, for N values under one key: `pulumi preview` of the new
// stack, `pulumi up` creating it and an unchanged `pulumi up`, for N EncryptedValue resources through
// KMS ("api") or encrypting locally ("local"), one EncryptedValues of N entries ("map") and N
// do-nothing dynamic resources ("baseline"), each also as a ratio to the baseline. "wide" is the
// baseline with as many inputs and outputs as an api value keeps in state: what the engine's
// snapshot writes cost a resource of that shape, whatever its provider does. For "map", an
// up with one entry changed, and the encryptions it made. Then N = 1000 through an emulator
// throttling at 200 QPS. The plugin programs (docs/plugin.md) are the api program on the resource
// plugin: Node through pulumi-alicloud-kms-encrypted/plugin, YAML and Python through their SDKs.
// --latency adds that many milliseconds to every KMS answer (20 for a call within a region, 150
// across a border), so api against local shows what the round trips cost.
// --pulumi-env sets a variable for every pulumi command, to take part of the engine's cost away and
// see what is left: PULUMI_SKIP_CHECKPOINTS=true (no snapshot written after each step) showed, at
// N = 200, that most of what a value costs over the baseline is the snapshot's (docs/performance.md).
// The programs take turns within each command, so drift on a shared machine hits them alike;
// with --repeat k every figure is the median of k rounds, each on fresh stacks. After each create,
// one `stack export` gives the state's bytes per value (compact JSON of the value resources over N).
// --profile <dir> runs every measured command under the engine's `--profiling`, writing
// <dir>/<program>-<N>-<op>.<pid>.cpu (read with `go tool pprof -top -cum <pulumi binary> <file>`).

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "1,50,200,1000" },
    repeat: { type: "string", default: "1" },
    json: { type: "string" },
    "no-throttled": { type: "boolean", default: false },
    programs: { type: "string", default: PROGRAMS.join(",") },
    latency: { type: "string", default: "0" },
    "pulumi-env": { type: "string", multiple: true, default: [] },
    profile: { type: "string" },
  },
});
const pulumiEnv = Object.fromEntries((args["pulumi-env"] ?? []).map((pair) => {
  const at = pair.indexOf("=");
  if (!/^PULUMI_[A-Z0-9_]+=/.test(pair)) {
    console.error("--pulumi-env takes PULUMI_<NAME>=<value>, e.g. --pulumi-env PULUMI_SKIP_CHECKPOINTS=true");
    process.exit(2);
  }
  return [pair.slice(0, at), pair.slice(at + 1)];
}));
const latencyMs = Number(args.latency);
if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > 60_000) {
  console.error("--latency takes milliseconds, e.g. --latency 20 (in-region) or --latency 150 (cross-border)");
  process.exit(2);
}
const programs = String(args.programs).split(",").map((p) => p.trim()) as Program[];
if (programs.length === 0 || programs.some((p) => !(PROGRAMS as readonly string[]).includes(p))) {
  console.error(`--programs takes a comma-separated list of ${PROGRAMS.join(", ")}`);
  process.exit(2);
}
const sizes = String(args.sizes).split(",").map((s) => Number(s.trim()));
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error("--sizes takes positive integers, e.g. --sizes 1,50,200");
  process.exit(2);
}
const repeat = Number(args.repeat);
if (!Number.isInteger(repeat) || repeat < 1) {
  console.error("--repeat takes a positive integer, e.g. --repeat 3");
  process.exit(2);
}
const THROTTLED_N = 1000;
const THROTTLED_QPS = 200;

interface RunRecord extends Measurement {
  n: number;
  program: Program;
  op: Op;
  /** After a create: the value resources' compact JSON in state, over N. */
  stateBytesPerValue?: number;
}

const runs: RunRecord[] = [];
/** The map program's up with one entry changed, by N. */
const oneEntryChanges: { n: number; wallSeconds: number; encryptions: number }[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

function formatCalls(calls: Record<string, number>): string {
  return Object.entries(calls).sort().map(([a, c]) => `${a} ${c}`).join(", ") || "—";
}

async function digestCostMs(): Promise<number> {
  const values = Array.from({ length: 50 }, (_, i) => Buffer.from(`digest cost sample ${i}`));
  const salt = saltFor("bench-stack-salt", "urn:pulumi:bench::bench::value");
  await digestWithSalt(Buffer.from("warm-up"), salt);
  const started = performance.now();
  for (const v of values) await digestWithSalt(v, salt);
  return (performance.now() - started) / values.length;
}

/**
 * What a stack of `program` holds besides its values: the stack; for the dynamic programs their
 * explicit provider, and for this package's the stack's digest salt and integrity key. The plugin's
 * default provider is not counted, and it keeps neither salt nor key as a resource.
 */
function perStackResources(program: Program): number {
  return PLUGIN_PROGRAMS.includes(program) ? 1 : program === "baseline" || program === "wide" ? 2 : 4;
}

const EXPECTED: Record<Op, string> = { preview: "to create", create: "created", unchanged: "unchanged" };

type Measured = Measurement & { stateBytesPerValue?: number };

async function measureOne(bench: BenchProject, emulator: KmsEmulator, program: Program, n: number, op: Op): Promise<Measured> {
  await bench.selectStack(`${program}-${n}`);
  const profileTo = args.profile ? join(args.profile, `${program}-${n}-${op}`) : undefined;
  const { run: _run, ...m } = await bench.measure(op, emulator, { profileTo });
  const resources = (program === "map" ? 1 : n) + perStackResources(program);
  if (m.summary[EXPECTED[op]] !== resources) {
    throw new Error(`${program}-${n} ${op}: expected ${resources} ${EXPECTED[op]}, got ${JSON.stringify(m.summary)}`);
  }
  const stateBytesPerValue = op === "create"
    ? Math.round((await bench.valuesInState()).reduce((sum, r) => sum + JSON.stringify(r).length, 0) / n)
    : undefined;
  log(`  ${`${program}-${n}`.padEnd(16)} ${op.padEnd(9)} ${m.wallSeconds.toFixed(2).padStart(7)} s  ${formatCalls(m.kmsCalls)}` +
    (stateBytesPerValue === undefined ? "" : `  state ${stateBytesPerValue} B/value`));
  return { ...m, stateBytesPerValue };
}

function median<T>(items: T[], by: (t: T) => number): T {
  return [...items].sort((a, b) => by(a) - by(b))[Math.floor((items.length - 1) / 2)]!;
}

/** `repeat` rounds of every op for every program on fresh stacks, programs taking turns; medians. */
async function measureSize(bench: BenchProject, emulator: KmsEmulator, n: number, programs: readonly Program[],
  ops: readonly Op[]) {
  const rounds: RunRecord[] = [];
  for (let round = 0; round < repeat; round++) {
    for (const program of programs) await bench.stack(`${program}-${n}`, program, n, emulator);
    for (const op of ops) {
      for (const program of programs) rounds.push({ n, program, op, ...(await measureOne(bench, emulator, program, n, op)) });
    }
    if (programs.includes("map") && ops.includes("create")) {
      await bench.selectStack(`map-${n}`);
      await bench.project.ok("config", "set", "bench:changed", String(n - 1));
      const { wallSeconds, kmsCalls } = await bench.measure("create", emulator);
      const encryptions = kmsCalls.AsymmetricEncrypt ?? 0;
      oneEntryChanges.push({ n, wallSeconds, encryptions });
      log(`  ${`map-${n}`.padEnd(16)} one entry ${wallSeconds.toFixed(2).padStart(7)} s  ${formatCalls(kmsCalls)}`);
    }
    for (const program of programs) await bench.removeStack(`${program}-${n}`);
  }
  for (const program of programs) {
    for (const op of ops) runs.push(median(rounds.filter((r) => r.program === program && r.op === op), (r) => r.wallSeconds));
  }
}

/** The (median) run of `program` for N and op, if measured. */
function runOf(n: number, op: Op, program: Program): RunRecord | undefined {
  return runs.find((r) => r.n === n && r.op === op && r.program === program);
}

function table(): string {
  const others = programs.filter((p) => p !== "baseline");
  const head = ["N", "op", "baseline s", ...others.flatMap((p) => [`${p} s`, `${p} ×`]), ...others.map((p) => `KMS calls (${p})`),
    `provider peak MiB (${programs.join("/")})`, `state B/value (${programs.join("/")})`];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i < 2 || /^(KMS|provider|state)/.test(h) ? "---" : "---:")).join("|")}|`];
  for (const n of sizes) {
    for (const op of OPS) {
      const get = (program: Program) => runOf(n, op, program);
      const base = get("baseline");
      const measured = others.map(get);
      if (measured.some((m) => !m)) continue;
      const ratio = (r: RunRecord) => (base ? (r.wallSeconds / base.wallSeconds).toFixed(2) : "—");
      lines.push(`| ${[String(n), op, base ? base.wallSeconds.toFixed(2) : "—",
        ...measured.flatMap((r) => [r!.wallSeconds.toFixed(2), ratio(r!)]),
        ...measured.map((r) => formatCalls(r!.kmsCalls)),
        programs.map((p) => get(p)?.providerPeakMiB ?? "—").join(" / "),
        op === "create" ? programs.map((p) => get(p)?.stateBytesPerValue ?? "—").join(" / ") : ""].join(" | ")} |`);
    }
  }
  // What one value costs over a do-nothing resource, by N: flat if a value's cost does not grow with the stack.
  const perValue = others.filter((p) => p !== "map");
  if (runs.some((r) => r.program === "baseline") && perValue.length > 0) {
    const headPV = ["N", "op", ...perValue.map((p) => `${p} ms/value`)];
    lines.push("", "Per value over the baseline ((program s − baseline s) / N):", "",
      `| ${headPV.join(" | ")} |`, `|${headPV.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
    for (const n of sizes) {
      for (const op of OPS) {
        const base = runOf(n, op, "baseline");
        if (!base) continue;
        const cells = perValue.map((p) => {
          const r = runOf(n, op, p);
          return r ? (((r.wallSeconds - base.wallSeconds) / n) * 1000).toFixed(1) : "—";
        });
        lines.push(`| ${[String(n), op, ...cells].join(" | ")} |`);
      }
    }
  }
  if (oneEntryChanges.length > 0) {
    const bySize = sizes.flatMap((n) => {
      const rounds = oneEntryChanges.filter((c) => c.n === n);
      if (rounds.length === 0) return [];
      const m = median(rounds, (c) => c.wallSeconds);
      return [`N=${n}: ${m.wallSeconds.toFixed(2)} s, encryptions ${rounds.map((c) => c.encryptions).join("/")}`];
    });
    lines.push("", `map, one entry changed (pulumi up, median of ${repeat}): ${bySize.join("; ")}`);
  }
  return lines.join("\n");
}

async function main() {
  const root = tempRoot();
  const emulator = await startKmsEmulator({ seed: seedFor(1) });
  if (latencyMs > 0) emulator.setFaults({ latencyMs });
  let throttled: { n: number; failures: number; wallSeconds: number; floorSeconds: number; baselineSeconds: number } | undefined;
  try {
    log(`packing the package and installing it into a benchmark project in ${root}`);
    const bench = await BenchProject.create(root, packPackage(root), pulumiEnv);
    for (const n of sizes) {
      log(`N = ${n}`);
      await measureSize(bench, emulator, n, programs, OPS);
    }

    if (!args["no-throttled"] && programs.includes("api")) {
      log(`throttled: N = ${THROTTLED_N}, API mode, emulator at --qps ${THROTTLED_QPS}`);
      let baseline = runs.find((r) => r.n === THROTTLED_N && r.program === "baseline" && r.op === "create");
      if (!baseline) {
        await measureSize(bench, emulator, THROTTLED_N, ["baseline"], ["create"]);
        baseline = runs.at(-1)!;
      }
      const limited = await startKmsEmulator({ seed: seedFor(1), qps: THROTTLED_QPS });
      try {
        await bench.stack("throttled", "api", THROTTLED_N, limited);
        const m = await bench.measure("create", limited, { mustSucceed: false });
        // The values themselves, as state holds them: each with its ciphertext.
        const encrypted = (await bench.valuesInState()).filter((r) => typeof r.outputs?.ciphertextBlob === "string").length;
        throttled = {
          n: THROTTLED_N,
          failures: THROTTLED_N - encrypted,
          wallSeconds: m.wallSeconds,
          floorSeconds: THROTTLED_N / THROTTLED_QPS,
          baselineSeconds: baseline.wallSeconds,
        };
        log(`  throttled create ${m.wallSeconds.toFixed(2)} s, exit ${m.run.code}, ${formatCalls(m.kmsCalls)}, throttled answers ${limited.stats().throttled}`);
        await bench.removeStack("throttled");
      } finally {
        await limited.close();
      }
    }

    const digestMs = await digestCostMs();
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
    const latency = latencyMs > 0 ? `, answering every call ${latencyMs} ms late` : "";
    console.log(`EncryptedValue at stack scale — ${machine}; Pulumi CLI built from source (v3.248.0); KMS emulator in process${latency}\n`);
    console.log(table());
    console.log(`\ndigest (scrypt N=2^12, r=8, p=1) cost per value: ${digestMs.toFixed(1)} ms of one core`);
    if (throttled) {
      const limit = 1.3 * (throttled.floorSeconds + throttled.baselineSeconds);
      console.log(`throttled (N=${throttled.n}, API mode, --qps ${THROTTLED_QPS}): ${throttled.failures} failures, ${throttled.wallSeconds.toFixed(2)} s; ` +
        `floor N/${THROTTLED_QPS} = ${throttled.floorSeconds.toFixed(2)} s, baseline create ${throttled.baselineSeconds.toFixed(2)} s, ` +
        `target ≤ 1.3 × (floor + baseline) = ${limit.toFixed(2)} s`);
    }
    if (args.json) {
      const { baselineSeconds: _b, ...throttledJson } = throttled ?? { baselineSeconds: 0 };
      writeFileSync(args.json, `${JSON.stringify({
        machine,
        digestMsPerValue: digestMs,
        runs: runs.map(({ n, program, op, wallSeconds, kmsCalls, providerPeakMiB, stateBytesPerValue }) =>
          ({ n, program, op, wallSeconds, kmsCalls, providerPeakMiB, stateBytesPerValue })),
        ...(oneEntryChanges.length > 0 ? { oneEntryChanges } : {}),
        ...(throttled ? { throttled: throttledJson } : {}),
      }, null, 2)}\n`);
      log(`figures written to ${args.json}`);
    }
  } finally {
    await emulator.close();
    removeRoot(root);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
