import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { docBlock } from "./doc-blocks";
import { buildInto, cacheRoot } from "./go-build";

// Alibaba's official Python packages the tests drive (the KMS SDK alibabacloud_kms20160120 and the
// Encryption SDK), in a virtual environment built once from PyPI into the cache beside the Go
// builds, keyed by the hash of the pinned requirements. The Encryption SDK is installed without its
// dependencies: it pins cryptography 3.2.1 and attrs 20.3, which no longer build on Python 3.11;
// the current ones in requirements.txt serve it (../shared/kms-api.md).

const sources = resolve(__dirname, "../official-sdks/python");
const ENCRYPTION_SDK = "bestv-aliyun-encryption-sdk==0.1.2";

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(" ")} failed (${code}):\n${stderr.slice(-3000)}`))));
  });
}

/** The venv's python, creating the venv first if need be (about a minute on a fresh machine). */
export async function officialPython(): Promise<string> {
  const requirements = join(sources, "requirements.txt");
  const hash = createHash("sha256").update(readFileSync(requirements)).update(ENCRYPTION_SDK).digest("hex").slice(0, 16);
  const target = join(cacheRoot(), `python-sdks-${hash}`);
  const python = (dir: string) => join(dir, "bin", "python");
  const complete = (dir: string) => existsSync(join(dir, "complete"));
  if (!complete(target)) {
    await buildInto(target, complete, async (staging) => {
      await run("python3", ["-m", "venv", staging]);
      const pip = [python(staging), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"];
      await run(pip[0]!, [...pip.slice(1), "-r", requirements]);
      await run(pip[0]!, [...pip.slice(1), "--no-deps", ENCRYPTION_SDK]);
      await run("touch", [join(staging, "complete")]);
    });
  }
  return python(target);
}

/**
 * A reader's venv, made by docs/readers.md's install lines as written (run in the cache folder,
 * where they create ./venv), the first time and whenever they change; its python.
 */
export async function readersPython(): Promise<string> {
  const lines = docBlock("docs/readers.md", "readers-python-install").code;
  const target = join(cacheRoot(), `python-readers-${createHash("sha256").update(lines).digest("hex").slice(0, 16)}`);
  const complete = (dir: string) => existsSync(join(dir, "complete"));
  if (!complete(target)) {
    await buildInto(target, complete, async (staging) => {
      await run("bash", ["-e", "-c", `cd ${JSON.stringify(staging)}\n${lines}`], { PIP_DISABLE_PIP_VERSION_CHECK: "1" });
      await run("touch", [join(staging, "complete")]);
    });
  }
  return join(target, "venv", "bin", "python");
}

/**
 * Runs a Python program (one of test/official-sdks/python's by name, or a path) with a JSON
 * request on stdin, `args` after it and `env` added to this process's; its JSON answer.
 */
export function runPython<T>(
  pythonBinary: string, program: string, request: unknown, args: string[] = [], env: NodeJS.ProcessEnv = {},
): Promise<T> {
  return new Promise((done, fail) => {
    const child = spawn(pythonBinary, [resolve(sources, program), ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("exit", (code) => {
      try {
        if (code !== 0) throw new Error(`${program} exited ${code}: ${stderr.slice(-2000)}`);
        done(JSON.parse(stdout) as T);
      } catch (e) {
        fail(e);
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
