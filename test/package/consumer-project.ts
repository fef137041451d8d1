import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// A fresh npm project outside the repository that installs the packed tarball the way a user's
// project does, for the package tests (consumers.test.ts) and the footprint benchmark.

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
}

/** Runs a program without blocking this process (which may be serving the KMS emulator). */
export function run(file: string, args: string[], options: RunOptions = {}): Promise<Ran> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8", maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        if (error && code === -1) reject(error);
        else resolveRun({ code, stdout, stderr });
      });
    child.stdin!.end(options.input ?? "");
  });
}

/** A project with these dependencies; `npm install` fills it from npm's cache where it can. */
export async function npmProject(dir: string, dependencies: Record<string, string>, devDependencies: Record<string, string> = {},
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, dependencies, devDependencies }, null, 2));
  const installed = await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: dir });
  if (installed.code !== 0) throw new Error(`npm install in ${dir} exited ${installed.code}:\n${installed.stderr.slice(-2000)}`);
  return dir;
}
