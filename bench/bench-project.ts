import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { KmsEmulator, StatsSnapshot } from "../test/kms-emulator";
import { PulumiProject, type Run } from "../test/e2e/pulumi-project";
import { placeLanguageHosts } from "../test/e2e/language-hosts";
import { pulumiBinDir } from "../test/e2e/pulumi-bin";
import { hostPlatform, packagePlugin, packageVersion, tarballName } from "../provider/plugin/build/package";
import { sampleProviderMemory } from "./provider-memory";

// One Pulumi project running bench/program with the real CLI, one stack per (program, N), and the
// measurement of a single pulumi command: wall time, the KMS calls the emulator served, the
// provider process's peak memory and the engine's resource summary.

export const BENCH_KEY = "key-bench";
export const BENCH_ACCESS_KEY = { accessKeyId: "LTAIbenchmark", accessKeySecret: "bench-secret-5d4c3b2a1f0e" };
export const PROGRAMS = ["baseline", "wide", "api", "local", "map", "plugin-node", "plugin-yaml", "plugin-python"] as const;
export type Program = (typeof PROGRAMS)[number];
/** The programs on the resource plugin (docs/plugin.md): Node through the package's /plugin classes, YAML, Python. */
export const PLUGIN_PROGRAMS: readonly Program[] = ["plugin-node", "plugin-yaml", "plugin-python"];
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

interface MeasureOptions {
  /** false: a failed command is measured too (the throttled run). */
  mustSucceed?: boolean;
  /** A path prefix for the engine's `--profiling` files. */
  profileTo?: string;
}

/** A resource as `pulumi stack export` writes it: the part the benchmark reads. */
export interface StateResource {
  urn: string;
  outputs?: Record<string, unknown>;
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

/** The YAML program for `n` values: YAML has no loop, so the file is written for each N. */
function yamlProgram(n: number): string {
  const resources = Array.from({ length: n }, (_, i) => {
    const name = `value-${String(i).padStart(4, "0")}`;
    return `  ${name}:\n    type: alicloud-kms:index:EncryptedValue\n    properties:\n      plaintext: \${bench:seed}-${i}\n      keyId: \${bench:keyId}\n`;
  });
  return `name: kms-bench-yaml\nruntime: yaml\ndescription: The benchmark's program on the alicloud-kms resource plugin, in YAML\n` +
    `resources:\n${resources.join("")}outputs:\n  count: ${n}\n`;
}

export class BenchProject {
  /** The YAML and Python projects, made when a plugin program is first measured. */
  private languages?: { yaml: PulumiProject; python: PulumiProject };
  /** The project of the stack selected last. */
  private current: PulumiProject;

  private constructor(
    readonly project: PulumiProject,
    private readonly root: string,
    private readonly extraEnv: Record<string, string>,
  ) {
    this.current = project;
  }

  /** `extraEnv`: for every pulumi command, e.g. NODE_OPTIONS=--cpu-prof to profile. */
  static async create(root: string, tarball: string, extraEnv: Record<string, string> = {}): Promise<BenchProject> {
    const project = await PulumiProject.create(root, tarball, join(__dirname, "program/index.js"), {
      ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_ACCESS_KEY.accessKeySecret,
      ...extraEnv,
    }, "kms-bench");
    return new BenchProject(project, root, extraEnv);
  }

  /**
   * The plugin, installed from its tarball (once: PULUMI_HOME is shared), and the YAML and Python
   * projects with their language hosts and, for Python, a virtualenv with the generated SDK.
   */
  private async languageProjects(): Promise<{ yaml: PulumiProject; python: PulumiProject }> {
    if (this.languages) return this.languages;
    const version = packageVersion();
    const tarball = (await packagePlugin({ out: join(this.root, "plugin") })).find((f) => f.endsWith(tarballName(version, hostPlatform())))!;
    await this.project.ok("plugin", "install", "resource", "alicloud-kms", version, "--file", tarball);
    // Beside the CLI, where the engine looks first (no "from $PATH" warning per command).
    await placeLanguageHosts(await pulumiBinDir(), ["yaml", "python"]);
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: BENCH_ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: BENCH_ACCESS_KEY.accessKeySecret,
      ...this.extraEnv,
    };
    const yamlDir = join(this.root, "yaml");
    mkdirSync(yamlDir);
    writeFileSync(join(yamlDir, "Pulumi.yaml"), yamlProgram(1));
    const pythonDir = join(this.root, "python");
    cpSync(join(__dirname, "plugin-python"), pythonDir, { recursive: true });
    execFileSync("python3", ["-m", "venv", join(pythonDir, "venv")], { stdio: "pipe" });
    execFileSync(join(pythonDir, "venv/bin/pip"), ["install", "--quiet", "--disable-pip-version-check", "pulumi==3.248.0",
      resolve(__dirname, "../sdk/python")], { stdio: "pipe" });
    this.languages = {
      yaml: await PulumiProject.inDirectory(this.root, yamlDir, env, []),
      python: await PulumiProject.inDirectory(this.root, pythonDir, env, [join(pythonDir, "venv/bin")]),
    };
    return this.languages;
  }

  /** The project a program runs in. */
  private async projectFor(program: Program): Promise<PulumiProject> {
    if (program === "plugin-yaml") return (await this.languageProjects()).yaml;
    if (program === "plugin-python") return (await this.languageProjects()).python;
    // plugin-node runs in the Node project, with the plugin installed.
    if (program === "plugin-node") await this.languageProjects();
    return this.project;
  }

  /** A stack's program, from its name (`api-50`, `plugin-yaml-50`; the throttled run's is api's). */
  private static programOf(stack: string): Program {
    return PROGRAMS.filter((p) => stack.startsWith(`${p}-`)).sort((a, b) => b.length - a.length)[0] ?? "api";
  }

  /** A new stack deploying `n` values of `program` against `emulator`; selects it. */
  async stack(name: string, program: Program, n: number, emulator: KmsEmulator, keyId = BENCH_KEY): Promise<void> {
    const p = await this.projectFor(program);
    this.current = p;
    if (program === "plugin-yaml") writeFileSync(join(p.dir, "Pulumi.yaml"), yamlProgram(n));
    await p.ok("stack", "init", name);
    if (PLUGIN_PROGRAMS.includes(program)) await p.ok("config", "set", "--secret", "alicloud-kms:integrityKey", randomBytes(32).toString("base64"));
    await p.ok("config", "set", "alicloud-kms:endpoint", emulator.endpoint);
    await p.ok("config", "set", "alicloud-kms:region", emulator.region);
    await p.ok("config", "set", "bench:count", String(n));
    await p.ok("config", "set", "bench:program", program);
    await p.ok("config", "set", "bench:keyId", keyId);
    await p.ok("config", "set", "--secret", "bench:seed", randomBytes(16).toString("hex"));
  }

  /** Selects a stack; its name starts with its program's (`api-50`, `plugin-yaml-50`), which says which project holds it. */
  async selectStack(name: string): Promise<void> {
    this.current = await this.projectFor(BenchProject.programOf(name));
    await this.current.ok("stack", "select", name);
  }

  async removeStack(name: string): Promise<void> {
    await (await this.projectFor(BenchProject.programOf(name))).ok("stack", "rm", name, "--force", "--yes");
  }

  /** The values in the selected stack's state (the resources `value-NNNN`, or the map `values`), from one `stack export`. */
  async valuesInState(): Promise<StateResource[]> {
    const exported = JSON.parse((await this.current.ok("stack", "export")).stdout) as { deployment: { resources?: StateResource[] } };
    return (exported.deployment.resources ?? []).filter((r) => /::(value-\d+|values)$/.test(r.urn));
  }

  /**
   * Runs one command (`preview`, or `up` for create/unchanged) and measures it; with `profileTo`,
   * under the engine's `--profiling` (CPU, memory and trace files named from that prefix).
   */
  async measure(op: Op, emulator: KmsEmulator, options: MeasureOptions = {}): Promise<Measurement & { run: Run }> {
    const args = [...(op === "preview" ? ["preview"] : ["up", "--yes", "--skip-preview"]),
      ...(options.profileTo ? ["--profiling", options.profileTo] : [])];
    emulator.resetStats();
    const memory = sampleProviderMemory();
    const started = performance.now();
    const run = options.mustSucceed === false ? await this.current.pulumi(...args) : await this.current.ok(...args);
    const wallSeconds = (performance.now() - started) / 1000;
    const kmsCalls = callsByAction(emulator.stats());
    return { wallSeconds, kmsCalls, providerPeakMiB: memory.stop(), summary: summaryOf(run), run };
  }
}
