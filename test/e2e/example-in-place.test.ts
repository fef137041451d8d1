import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdirSync, readFileSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { basename, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { applicationEnv } from "../support/application-env";
import { offlinePulumiEnv } from "./offline-pulumi";
import { pulumiBinDir } from "./pulumi-bin";
import { packPackage, removeRoot, tempRoot } from "./pulumi-project";

// An example run where it stands, as its README says: the checkout's `npm pack` tarball two levels
// up, `npm install` in the example's folder (its own package.json and tsconfig.json, laid out as
// `pulumi new typescript` does), then `pulumi preview` and `pulumi up` of the TypeScript program
// itself (Pulumi's own TypeScript support, not a build of ours) against the emulator. The folder is
// copied with its surroundings, so the checkout stays clean.

const repoRoot = resolve(__dirname, "../..");
const ACCESS_KEY = { accessKeyId: "LTAIinplacee2e", accessKeySecret: "in-place-e2e-access-key-secret-4d5e6f" };

describe("examples/basic, run in place", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  // Asynchronous: the emulator answers from this process's event loop.
  const pulumi = async (...args: string[]) => {
    try {
      return (await promisify(execFile)("pulumi", [...args, "--non-interactive"], { cwd: dir, env, encoding: "utf8" })).stdout;
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: string; stderr?: string };
      throw new Error(`pulumi ${args.join(" ")} failed:\n${stdout?.slice(-3000)}\n${stderr?.slice(-3000)}`);
    }
  };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({
      seed: { accessKeys: [ACCESS_KEY], keys: [{ keyId: "key-app", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["alias/app-secrets"] }], certificates: [] },
    });
    // The checkout's npm pack, where the example's package.json looks for it (../../<tarball>).
    const manifest = JSON.parse(readFileSync(join(repoRoot, "examples/basic/package.json"), "utf8")) as { dependencies: Record<string, string> };
    const wanted = manifest.dependencies["pulumi-alicloud-kms-encrypted"]!;
    assert.match(wanted, /^file:\.\.\/\.\.\/pulumi-alicloud-kms-encrypted-[\d.]+\.tgz$/);
    const tarball = packPackage(root);
    assert.equal(basename(tarball), wanted.slice("file:../../".length), "the example names the tarball npm pack writes");
    copyFileSync(tarball, join(root, basename(tarball)));
    dir = join(root, "examples", "basic");
    cpSync(join(repoRoot, "examples/basic"), dir, { recursive: true });
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "pipe" });
    mkdirSync(join(root, "backend"));
    env = { ...offlinePulumiEnv({ binDir: await pulumiBinDir(), projectDir: dir, stateDir: root, passphrase: "in place" }), ...applicationEnv(emulator, ACCESS_KEY) };
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("its README's commands preview and deploy the TypeScript program, and the value decrypts", async () => {
    await pulumi("stack", "init", "dev");
    await pulumi("config", "set", "keyId", "alias/app-secrets");
    await pulumi("config", "set", "--secret", "dbPassword", "correct horse battery staple");
    const preview = await pulumi("preview");
    assert.match(preview, /\+ +pulumi-nodejs:dynamic\/alicloud-kms:EncryptedValue +db-password +create/);
    await pulumi("up", "--yes");
    const outputs = JSON.parse(await pulumi("stack", "output", "--json")) as { envelope: string };
    const opened = await new Promise<string>((done, fail) => {
      const child = execFile(join(dir, "node_modules/.bin/pulumi-alicloud-kms-encrypted"), ["decrypt"], { env, encoding: "utf8" },
        (error, stdout) => (error ? fail(error) : done(stdout)));
      child.stdin!.end(outputs.envelope);
    });
    assert.equal(opened, "correct horse battery staple");
  });
});
