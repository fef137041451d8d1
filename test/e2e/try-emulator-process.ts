import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "../support/free-port";

// `npm run try-emulator` as the recipes run it (in the checkout, serving until stopped), on a free
// port and with its keys and env file in `dir` (KMS_TRY_DIR), apart from any demo or recipe running
// on this machine. It runs in its own process group: npm does not pass a signal on to its script.

const repoRoot = resolve(__dirname, "../..");

/**
 * A checkout at `dir` as the recipes see one, this one's parts by link: its scripts and code (so
 * `npm run try-emulator` and `npm --prefix … run kms-emulator` work there) and an examples/ folder
 * for the examples a test copies in. A test adds what it builds (dist/plugin, the tarball).
 */
export function linkedCheckout(dir: string): void {
  mkdirSync(join(dir, "examples"), { recursive: true });
  for (const entry of ["package.json", "node_modules", "test", "provider", "examples/try-emulator.ts", "examples/emulator-port.ts"]) {
    symlinkSync(join(repoRoot, entry), join(dir, entry));
  }
}

export interface TryEmulator {
  /** What it printed up to its "next commands" (endpoint, keys, the env file to source). */
  printed: string;
  stop(): Promise<void>;
}

/**
 * `options.checkout`: the checkout it runs in (its dist/plugin is the plugin it installs), this one's
 * by default; `options.args`: the command line's (the languages).
 */
export async function startTryEmulator(
  dir: string, env: NodeJS.ProcessEnv = {}, options: { checkout?: string; args?: string[] } = {},
): Promise<TryEmulator> {
  const args = options.args?.length ? ["--", ...options.args] : [];
  const server: ChildProcess = spawn("npm", ["run", "--silent", "try-emulator", ...args], {
    cwd: options.checkout ?? repoRoot, env: { ...process.env, ...env, KMS_DEMO_PORT: String(await freePort()), KMS_TRY_DIR: dir },
    stdio: ["ignore", "pipe", "inherit"], detached: true,
  });
  const stop = async () => {
    if (server.pid === undefined || server.exitCode !== null) return;
    const exited = new Promise((done) => server.once("exit", done));
    process.kill(-server.pid, "SIGTERM");
    await exited;
  };
  let printed = "";
  await new Promise<void>((ready, failed) => {
    server.stdout!.on("data", (c: Buffer) => {
      printed += c.toString();
      if (printed.includes("pulumi stack init dev")) ready();
    });
    server.once("exit", (code) => failed(new Error(`try-emulator exited ${code}:\n${printed}`)));
  });
  return { printed, stop };
}
