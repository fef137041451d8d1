import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync,
  writeFileSync,
} from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { homedir } from "node:os";
import { join } from "node:path";

// Go binaries the tests need (the Pulumi CLI, Alibaba's official Go SDK), built from the Go module
// proxy into a cache outside the repository. The proxy serves modules but sum.golang.org is
// unreachable here: each wrapper module commits its go.sum, and -mod=readonly keeps the build to
// exactly those hashes.

export const GO_ENV = { GOSUMDB: "off", GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" };

/** ~/.cache/pulumi-alicloud-kms-encrypted (or $XDG_CACHE_HOME's), where builds are kept. */
export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "pulumi-alicloud-kms-encrypted");
}

export function goAvailable(): boolean {
  return (process.env.PATH ?? "").split(":").some((p) => p && existsSync(join(p, "go")));
}

/** Runs a go command; module downloads are reported through `log`, the rest of stderr only on failure. */
export function runGo(args: string[], cwd: string, log: (line: string) => void, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn("go", args, { cwd, env: { ...process.env, ...GO_ENV, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      for (const line of c.toString().split("\n")) if (line.startsWith("go: downloading")) log(line.slice(4));
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolveRun() : reject(new Error(`go ${args.join(" ")} failed (${code}):\n${stderr.slice(-4000)}`))));
  });
}

/** Whether the process that took a build's lock has gone (or the lock is older than an hour). */
function staleLock(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > 60 * 60_000) return true;
    process.kill(Number(readFileSync(join(lock, "pid"), "utf8")), 0);
    return false;
  } catch (e) {
    // No such process (ESRCH), or no pid written yet by a process that died at once.
    return (e as NodeJS.ErrnoException).code !== "EPERM" && (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/**
 * Builds into a staging directory beside `target` and moves it into place. One build at a time per
 * target (a lock beside it): a second process (a test file, or CI's build ahead of the tests, see
 * .ci/run) waits for the first instead of compiling the same thing again; a build never replaces a
 * directory another process may be running binaries from.
 */
export async function buildInto(
  target: string,
  complete: (dir: string) => boolean,
  build: (staging: string) => Promise<void>,
): Promise<void> {
  mkdirSync(join(target, ".."), { recursive: true });
  const lock = `${target}.lock`;
  for (;;) {
    if (complete(target)) return;
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (staleLock(lock)) rmSync(lock, { recursive: true, force: true });
      else await sleep(2_000);
    }
  }
  const staging = mkdtempSync(`${target}.partial-`);
  try {
    await build(staging);
    if (complete(target)) rmSync(staging, { recursive: true, force: true });
    else {
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
    }
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A small Go program of this repository (go.mod, go.sum, main.go in `sources`), built once and
 * cached by the hash of those files, so a change to them builds anew. Returns the binary's path.
 */
export async function builtGoProgram(sources: string, binary: string, label: string): Promise<string> {
  const hash = createHash("sha256");
  // Every source: a change to any builds anew.
  const files = ["go.mod", "go.sum", ...readdirSync(sources).filter((f) => f.endsWith(".go")).sort()];
  for (const file of files) hash.update(file).update(readFileSync(join(sources, file)));
  const dir = join(cacheRoot(), `${label}-${hash.digest("hex").slice(0, 16)}`);
  const built = (d: string) => {
    try {
      accessSync(join(d, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (!built(dir)) {
    if (!goAvailable()) throw new Error(`${label} needs Go (1.25 or later) to build from the module proxy`);
    const log = (line: string) => process.stderr.write(`[${label}] ${line}\n`);
    log(`building ${label} from the Go module proxy`);
    await buildInto(dir, built, (staging) => runGo(["build", "-trimpath", "-o", join(staging, binary), "."], sources, log));
  }
  return join(dir, binary);
}

/**
 * Runs one of these programs: `input` on stdin, one JSON answer per line on stdout. It must not
 * block the event loop, since the emulator may live in this process.
 */
export function runJsonLines<T>(binary: string, input: string, env: NodeJS.ProcessEnv = {}): Promise<T[]> {
  return new Promise((done, fail) => {
    const child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      if (code !== 0) fail(new Error(`${binary} exited ${code}: ${stderr.slice(-2000)}`));
      else done(stdout.trim().split("\n").map((line) => JSON.parse(line) as T));
    });
    child.stdin.end(input);
  });
}
