import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { KmsEmulator } from "../kms-emulator";
import { secretForms } from "../support/secret-forms";
import { installProgram, npmInstall, programManifest, sharedTarball } from "../support/shared-build";
import { filesUnder, offlinePulumiEnv } from "./offline-pulumi";
import { pulumiBinDir } from "./pulumi-bin";

// A temporary Pulumi project that consumes this package the way users do: `npm pack`, then the
// tarball installed with @pulumi/pulumi into the project's node_modules. The real CLI runs it
// fully offline (offline-pulumi.ts).

const repoRoot = resolve(__dirname, "../..");

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The package as users install it: the tarball the test driver packed once for the whole run
 * (test/run.ts), or else `npm pack` of this repository into `into` (prepack builds dist/). Returns
 * the tarball's path; a caller that moves or changes it copies it first.
 */
export function packPackage(into: string): string {
  const shared = sharedTarball();
  if (shared) return shared;
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", into], { cwd: repoRoot, encoding: "utf8" });
  return join(into, out.trim().split("\n").pop()!.trim());
}

/**
 * The package as it was at git revision `rev` (an older release), packed into `into`: its source
 * from this repository's history, built with this checkout's node_modules (its dependencies must
 * be the same). Fails, naming the revision, when the history does not hold it (a shallow clone).
 */
export function packRevision(rev: string, into: string): string {
  const source = join(into, `source-${rev.slice(0, 12)}`);
  mkdirSync(source, { recursive: true });
  // CI's toolchain legs run on a copy of the tree without .git, and name the repository here.
  const gitRoot = process.env.KMS_GIT_DIR ?? repoRoot;
  try {
    execFileSync("git", ["cat-file", "-e", `${rev}^{commit}`], { cwd: gitRoot, stdio: "pipe" });
  } catch {
    throw new Error(`git revision ${rev} is not in this clone's history; the upgrade test needs it (git fetch --unshallow)`);
  }
  const archive = join(into, `source-${rev.slice(0, 12)}.tar`);
  execFileSync("git", ["archive", "--format=tar", "-o", archive, rev], { cwd: gitRoot, stdio: "pipe" });
  execFileSync("tar", ["-xf", archive, "-C", source], { stdio: "pipe" });
  symlinkSync(join(repoRoot, "node_modules"), join(source, "node_modules"), "dir");
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", into], { cwd: source, encoding: "utf8" });
  return join(into, out.trim().split("\n").pop()!.trim());
}

interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

export class PulumiProject {
  /** Every stdout/stderr of every command so far. */
  readonly transcript: string[] = [];

  private constructor(readonly dir: string, readonly backendDir: string, private readonly env: NodeJS.ProcessEnv) {}

  static async create(root: string, tarball: string, program: string, extraEnv: Record<string, string> = {}, name = "kms-e2e"): Promise<PulumiProject> {
    const dir = join(root, "project");
    const backendDir = join(root, "backend"); // where offlinePulumiEnv puts the file backend
    mkdirSync(dir, { recursive: true });
    mkdirSync(backendDir, { recursive: true });
    writeFileSync(join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\ndescription: EncryptedValue end to end\n`);
    copyFileSync(program, join(dir, "index.js"));
    writeFileSync(join(dir, "package.json"), programManifest(name, tarball));
    installProgram(dir, tarball);
    const env = offlinePulumiEnv({ binDir: await pulumiBinDir(), projectDir: dir, stateDir: root, passphrase: "e2e passphrase", extra: extraEnv });
    return new PulumiProject(dir, backendDir, env);
  }

  /**
   * A project already laid out in `dir` (a YAML or Python program on the resource plugin), run with
   * the same offline environment, `pathPrefix` on PATH after the CLI (language hosts, a virtualenv's bin).
   */
  static async inDirectory(
    root: string, dir: string, extraEnv: Record<string, string> = {}, pathPrefix: string[] = [],
  ): Promise<PulumiProject> {
    const backendDir = join(root, "backend");
    mkdirSync(backendDir, { recursive: true });
    const env = offlinePulumiEnv({ binDir: await pulumiBinDir(), projectDir: dir, stateDir: root, passphrase: "e2e passphrase", extra: extraEnv });
    // The CLI's folder stays first: start() runs the pulumi found there.
    const [binDir, ...rest] = String(env.PATH).split(":");
    env.PATH = [binDir, ...pathPrefix, ...rest].join(":");
    return new PulumiProject(dir, backendDir, env);
  }

  /**
   * The end-to-end program in a fresh project from the packed package, with a stack pointed at
   * the emulator. Credentials come from the environment, as the README recommends.
   */
  static async forEmulator(
    root: string, emulator: KmsEmulator, accessKey: AccessKey, stack: string, program = join(__dirname, "program/index.js"), name?: string,
  ): Promise<PulumiProject> {
    const project = await PulumiProject.create(root, packPackage(root), program, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: accessKey.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKey.accessKeySecret,
    }, name);
    await project.ok("stack", "init", stack);
    await project.configure({ "alicloud-kms:endpoint": emulator.endpoint, "alicloud-kms:region": emulator.region });
    return project;
  }

  /**
   * Sets stack config in one `pulumi config set-all` (one process, one passphrase derivation, where a
   * `config set` per key pays both each time): `plain` as text, `secret` encrypted.
   */
  async configure(plain: Record<string, string>, secret: Record<string, string> = {}): Promise<void> {
    const args = [
      ...Object.entries(plain).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]),
      ...Object.entries(secret).flatMap(([k, v]) => ["--secret", `${k}=${v}`]),
    ];
    if (args.length > 0) await this.ok("config", "set-all", ...args);
  }

  /**
   * Opens envelopes with the package installed in the project (its decrypt(), as an application
   * would), all in one Node process; `env` is that process's whole environment besides PATH.
   */
  async decryptInstalled(envelopes: string[], env: Record<string, string>): Promise<string[]> {
    const script = "const { decrypt } = require('pulumi-alicloud-kms-encrypted/decrypt');" +
      "Promise.all(JSON.parse(process.argv[1]).map((e) => decrypt(e).then((b) => b.toString('utf8'))))" +
      ".then((p) => process.stdout.write(JSON.stringify(p)), (e) => { process.stderr.write(String(e.message)); process.exit(1); })";
    const out = await new Promise<string>((done, fail) => execFile(process.execPath, ["-e", script, JSON.stringify(envelopes)],
      { cwd: this.dir, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => (error ? fail(new Error(stderr || error.message)) : done(stdout))));
    return JSON.parse(out) as string[];
  }

  /** Installs another build of the package in the project (an upgrade), from npm's cache and the tarball. */
  installPackage(tarball: string): void {
    const file = join(this.dir, "package.json");
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { dependencies: Record<string, string> };
    manifest.dependencies["pulumi-alicloud-kms-encrypted"] = `file:${tarball}`;
    writeFileSync(file, JSON.stringify(manifest, null, 2));
    npmInstall(this.dir);
  }

  /** Starts a pulumi command; `done` resolves when it exits. */
  start(args: string[]): { child: ChildProcess; done: Promise<Run> } {
    const child = spawn(join(String(this.env.PATH).split(":")[0]!, "pulumi"), [...args, "--non-interactive"], { cwd: this.dir, env: this.env });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const done = new Promise<Run>((resolveRun) => child.on("close", (code, signal) => {
      this.transcript.push(stdout, stderr);
      resolveRun({ code, signal, stdout, stderr });
    }));
    return { child, done };
  }

  /** Starts a pulumi command and sends it SIGINT once `ready()` holds (polled every 50 ms) or it has exited. */
  async interruptWhen(args: string[], ready: () => boolean): Promise<Run> {
    const { child, done } = this.start(args);
    await new Promise<void>((readied) => {
      const poll = setInterval(() => {
        if (ready() || child.exitCode !== null) {
          clearInterval(poll);
          readied();
        }
      }, 50);
    });
    child.kill("SIGINT");
    return done;
  }

  async pulumi(...args: string[]): Promise<Run> {
    return this.start(args).done;
  }

  /** Runs a command that must succeed. */
  async ok(...args: string[]): Promise<Run> {
    const run = await this.pulumi(...args);
    if (run.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${run.code}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    return run;
  }

  /** The `op` of each resource in a `--json` run (preview's steps, or up's resourcePreEvents). */
  static ops(run: Run): Map<string, string> {
    const ops = new Map<string, string>();
    const name = (urn: string) => urn.split("::").pop()!;
    const text = run.stdout.trim();
    if (text.startsWith("{") && text.includes("\"steps\"")) {
      for (const step of (JSON.parse(text).steps ?? []) as { op: string; urn: string }[]) ops.set(name(step.urn), step.op);
      return ops;
    }
    for (const line of text.split("\n")) {
      if (!line.startsWith("{")) continue;
      const event = JSON.parse(line) as { resourcePreEvent?: { metadata: { op: string; urn: string } } };
      const m = event.resourcePreEvent?.metadata;
      if (m) ops.set(name(m.urn), m.op);
    }
    return ops;
  }

  async outputs(): Promise<Record<string, unknown>> {
    return JSON.parse((await this.ok("stack", "output", "--json", "--show-secrets")).stdout);
  }

  /**
   * `pulumi stack export --show-secrets`, the stack's outputs as `pulumi stack output --json
   * --show-secrets` prints them (read from that same export), and every file under the backend
   * (history, backups): one CLI call.
   */
  async everythingStored(): Promise<string> {
    const exported = (await this.ok("stack", "export", "--show-secrets")).stdout;
    const files = filesUnder(this.backendDir).map((path) => `== ${path}\n${readFileSync(path, "utf8")}`);
    return [exported, JSON.stringify(stackOutputsIn(exported), null, 2), ...files].join("\n");
  }

  /**
   * Fails when any form of any of `plaintexts` is in state (secrets decrypted), the backend's files,
   * the stack's outputs (secrets shown) or anything the CLI printed so far.
   */
  async assertNothingStored(plaintexts: readonly string[], step: string): Promise<void> {
    const stored = [await this.everythingStored(), ...this.transcript].join("\n");
    for (const plaintext of plaintexts) {
      for (const form of secretForms(plaintext)) {
        const at = stored.indexOf(form);
        assert.equal(at, -1, `${step}: a plaintext is stored or printed: …${stored.slice(Math.max(0, at - 300), at + 80)}`);
      }
    }
  }
}

/** Pulumi's mark of a secret in exported state; with --show-secrets its `plaintext` is the value's JSON. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The stack's outputs in a `stack export --show-secrets`, secrets decoded, as `stack output --json --show-secrets` has them. */
export function stackOutputsIn(exported: string): Record<string, unknown> {
  const decode = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(decode);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return decode(typeof o.plaintext === "string" ? JSON.parse(o.plaintext) : o.ciphertext);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  };
  type State = { deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] } };
  const stack = (JSON.parse(exported) as State).deployment.resources?.find((r) => r.type === "pulumi:pulumi:Stack");
  return decode(stack?.outputs ?? {}) as Record<string, unknown>;
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), "kms-e2e-"));
}

export function removeRoot(root: string) {
  rmSync(root, { recursive: true, force: true });
}
