import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { distIsBuilt } from "./shared-build";

// The package's CLI as a separate process: stdin in, stdout and stderr out, and the exit status.
// From dist/, as users run it, when the test driver has built it for this run; else from the
// TypeScript sources through tsx.

const command = distIsBuilt()
  ? [resolve(__dirname, "../../dist/sdk/cli/main.js")]
  : ["--import", "tsx", resolve(__dirname, "../../sdk/cli/main.ts")];

export interface CliRun {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs the CLI with only PATH and `env` in its environment (plus HOME when given there). */
export function cli(args: string[], env: NodeJS.ProcessEnv, stdin?: Buffer): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...command, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(stdin ?? Buffer.alloc(0));
  });
}

/**
 * Runs the CLI with a reader that closes its end of stdout after the first bytes, as
 * `… | head -c 10` does; resolves with the exit status, the bytes read and stderr.
 */
export function cliIntoClosedPipe(args: string[], env: NodeJS.ProcessEnv, stdin: Buffer): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...command, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.once("data", (c: Buffer) => {
      out.push(c);
      child.stdout.destroy();
    });
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout: Buffer.concat(out), stderr }));
    child.stdin.end(stdin);
  });
}
