import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { installProgramTemplate, SHARED_BUILD_ENV } from "./support/shared-build";

// The test driver behind `npm test`, `npm run test:quick` and CI's toolchain legs. What every file
// would otherwise do for itself is done once here, before any file starts:
//   - lint (not for the quick tier and the legs) beside the build: `tsc` emits dist/ and
//     type-checks the whole tree in the same pass;
//   - one `npm pack --ignore-scripts` of that build into the run's folder (prepack would empty
//     dist/ under files already running), and one installed Pulumi program of it that the e2e
//     files copy by hard links instead of installing (test/support/shared-build.ts);
// then `node --test` runs the files side by side (`--test-concurrency`, 3 by default on 2 cores:
// most of an e2e file's time is spent waiting on the CLI and the engine), the longest first.
//
//   node --import tsx test/run.ts [--quick | --leg] [--concurrency N] [file …]

type Mode = "all" | "quick" | "leg";

const repoRoot = resolve(__dirname, "..");
const args = process.argv.slice(2);
const mode: Mode = args.includes("--quick") ? "quick" : args.includes("--leg") ? "leg" : "all";
const concurrencyAt = args.indexOf("--concurrency");
const concurrencyText = String(concurrencyAt >= 0 ? args[concurrencyAt + 1] : process.env.KMS_TEST_CONCURRENCY ?? 3);
const concurrency = Number(concurrencyText);
const named = args.filter((a, i) => !a.startsWith("--") && (concurrencyAt < 0 || i !== concurrencyAt + 1));

/** Every test file of the repository, relative to its root. */
function allFiles(): string[] {
  const under = (dir: string): string[] => readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : under(path);
    return e.name.endsWith(".test.ts") ? [path] : [];
  });
  return [...under("test"), ...under("examples")].sort();
}

/**
 * The tiers. quick: the emulator, the provider through @pulumi/pulumi's dynamic provider host, the
 * SDK's runtime, the examples under mocks and the plugin's gRPC door: no lint, no real CLI, no
 * packed tarball. leg: what another Node or @pulumi/pulumi changes (CI's toolchain legs).
 */
const QUICK = /^test\/(kms-emulator|provider|sdk|examples)\/|^test\/plugin\/(plugin-server|schema)\.test\.ts$/;
const LEG = /^test\/(provider|sdk|examples)\/(?!readme-readers\.)|^test\/package\/consumers\.test\.ts$|^test\/e2e\/toolchain\.test\.ts$/;

/**
 * The longest files first (seconds each took in a full run, 3 at a time on 2 cores), so that the
 * last to finish is a short one; the rest in name order.
 */
const LONGEST = [
  "test/package/consumers.test.ts", // 164
  "test/e2e/previews-and-plans.test.ts", // 129
  "test/plugin/generated-sdks.test.ts", // 145 with cold Go builds, most of it waiting for them; 3 warm
  "test/e2e/examples.test.ts", // 95
  "test/e2e/toolchain.test.ts", // 70
  "test/e2e/pulumi-cli.test.ts", // 69
  "test/e2e/example-readmes.test.ts", // 68
  "test/e2e/encrypted-values.test.ts", // 65
  "test/e2e/plugin-python.test.ts", // 65
  "test/e2e/state-integrity.test.ts", // 63
  "test/e2e/security.test.ts", // 58
  "test/e2e/call-economy.test.ts", // 57
  "test/e2e/pulumi-cli-under-faults.test.ts", // 53
  "test/e2e/symmetric.test.ts", // 53
  "test/e2e/random-password.test.ts", // 45 (90 beside a CI run)
  "test/e2e/upgrade.test.ts", // 48
  "test/e2e/recipients.test.ts", // 39
  "test/provider/credentials.test.ts", // 37
  "test/plugin/standalone.test.ts", // 36
  "test/provider/real-service.test.ts",
  "test/provider/real-service-gateways.test.ts",
  "test/e2e/live-scenario.test.ts", // 27
  "test/provider/encryption-sdk.test.ts",
  "test/e2e/plugin-yaml.test.ts", // 24
  "test/sdk/cli.test.ts", // 23
  "test/e2e/plugin-migration.test.ts", // 22
  "test/provider/check-failures.test.ts", // 21
];

function ordered(files: string[]): string[] {
  const rank = (f: string) => (LONGEST.includes(f) ? LONGEST.indexOf(f) : LONGEST.length);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function selected(): string[] {
  if (named.length > 0) return named.map((f) => relative(repoRoot, resolve(f)));
  const files = allFiles();
  if (mode === "quick") return files.filter((f) => QUICK.test(f));
  if (mode === "leg") return files.filter((f) => LEG.test(f));
  return files;
}

const running = new Set<ChildProcess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    process.exit(130);
  });
}

/** Runs a command with inherited output; resolves with the seconds it took, rejects on failure. */
function step(label: string, command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = Date.now();
  return new Promise((done, failed) => {
    const child = spawn(command, commandArgs, { cwd: repoRoot, env, stdio: "inherit" });
    running.add(child);
    child.on("error", failed);
    child.on("exit", (code, signal) => {
      running.delete(child);
      const seconds = (Date.now() - started) / 1000;
      if (code === 0) {
        process.stdout.write(`[test] ${label}: ${seconds.toFixed(1)} s\n`);
        done(seconds);
      } else failed(new Error(`${label} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

const npx = (bin: string) => join(repoRoot, "node_modules/.bin", bin);

async function main(): Promise<number> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`--concurrency (or KMS_TEST_CONCURRENCY) takes a whole number of files at a time, 1 or more; got ${JSON.stringify(concurrencyText)}`);
  }
  const files = ordered(selected());
  if (files.length === 0) throw new Error("no test file selected");
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), "kms-test-run-"));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // tsc emits dist/ and type-checks the tree (tests, examples and bench included) in one pass: the
    // provider hosts and the CLI then run from dist/ as users run them, not through tsx.
    rmSync(join(repoRoot, "dist"), { recursive: true, force: true });
    await Promise.all([
      step("build and type-check (tsc)", npx("tsc"), ["-p", "tsconfig.json"]),
      ...(mode === "all" && named.length === 0 ? [step("lint (eslint)", npx("eslint"), ["."])] : []),
    ]);
    env[SHARED_BUILD_ENV.dist] = "1";
    if (mode !== "quick") {
      const packDir = join(work, "pack");
      mkdirSync(packDir);
      const packStarted = Date.now();
      await step("npm pack (of that build)", "npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", packDir]);
      const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz"))!);
      const template = join(work, "program");
      installProgramTemplate(template, tarball);
      process.stdout.write(`[test] pack and one installed program: ${((Date.now() - packStarted) / 1000).toFixed(1)} s\n`);
      Object.assign(env, { [SHARED_BUILD_ENV.tarball]: tarball, [SHARED_BUILD_ENV.program]: template });
    }
    process.stdout.write(`[test] ${files.length} files, ${concurrency} at a time\n`);
    const runner = ["--import", "tsx", "--test", "--test-force-exit", `--test-concurrency=${concurrency}`, "--test-reporter=spec"];
    try {
      await step("node --test", process.execPath, [...runner, ...files], env);
      return 0;
    } catch (e) {
      process.stderr.write(`[test] ${(e as Error).message}\n`);
      return 1;
    } finally {
      process.stdout.write(`[test] ${mode} run: ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: Error) => {
  process.stderr.write(`[test] ${e.message}\n`);
  process.exit(1);
});
