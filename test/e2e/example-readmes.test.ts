import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { type DocBlock, docBlock, shellCommands } from "../support/doc-blocks";
import { secretForms } from "../support/secret-forms";
import { npmInstall } from "../support/shared-build";
import { pulumiBinDir } from "./pulumi-bin";
import { packPackage, removeRoot, tempRoot } from "./pulumi-project";
import { linkedCheckout, startTryEmulator, type TryEmulator } from "./try-emulator-process";

// The examples' READMEs, run as written where each example stands: a checkout laid out as the
// READMEs assume (the `npm pack` tarball at its root, `npm run try-emulator` serving
// .emulator/), `npm install` in the example's folder, `source ../../.emulator/env`, then every line
// of the README's block in one bash, in order, as a user pastes them. Pulumi's own
// PULUMI_SKIP_CONFIRMATIONS stands in for the user's "yes" at `pulumi up`. Every decrypt line must
// print the secret its config set, and no form of any secret may be in the stack's state (secrets
// shown), its backend files or anything printed but a decrypt's output.

const repoRoot = resolve(__dirname, "../..");

interface Case {
  example: string;
  blocks: DocBlock[];
  /** The secrets the block sets, and what its decrypt lines print, in order. */
  secrets: string[];
  decrypted: string[];
}

const cases: Case[] = [
  {
    example: "basic", blocks: [docBlock("examples/basic/README.md", "example-basic")],
    secrets: ["correct horse battery staple"], decrypted: ["correct horse battery staple"],
  },
  {
    example: "certificate", blocks: [docBlock("examples/certificate/README.md", "example-certificate")],
    secrets: ["tok_live_5f3c9a1e"], decrypted: ["tok_live_5f3c9a1e"],
  },
  {
    example: "sm2", blocks: [docBlock("examples/sm2/README.md", "example-sm2")],
    secrets: ["XXXX-XXXX-XXXX"], decrypted: ["XXXX-XXXX-XXXX"],
  },
  {
    example: "symmetric-key", blocks: [docBlock("examples/symmetric-key/README.md", "example-symmetric-key")],
    secrets: ["correct horse battery staple"], decrypted: ["correct horse battery staple", "correct horse battery staple"],
  },
  {
    example: "many-secrets", blocks: [docBlock("examples/many-secrets/README.md", "example-many-secrets")],
    secrets: ["correct horse battery staple", "tok_5f3c9a1e", "smtp-8b2e4d0c", "tok_new_4d0c7a"], decrypted: ["correct horse battery staple"],
  },
  {
    example: "rotation", blocks: [docBlock("examples/rotation/README.md", "example-rotation")],
    secrets: ["whsec_9a1e7d2b"], decrypted: [],
  },
  {
    example: "envelope",
    blocks: [docBlock("examples/envelope/README.md", "example-envelope"), docBlock("examples/envelope/README.md", "example-envelope-decrypt")],
    secrets: [], decrypted: [],
  },
];

describe("the examples' READMEs, run as written against the emulator", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let checkout: string;
  let server: TryEmulator;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    root = tempRoot();
    checkout = join(root, "pulumi-alicloud-kms-encrypted");
    // `npm --prefix ../.. run kms-emulator` resolves in this checkout.
    linkedCheckout(checkout);
    const tarball = packPackage(root);
    copyFileSync(tarball, join(checkout, basename(tarball)));
    for (const { example } of cases) cpSync(join(repoRoot, "examples", example), join(checkout, "examples", example), { recursive: true });
    // `npm install` in the first example; the others (the same package.json) take a hard-link copy of it.
    const [first, ...others] = cases.map((c) => join(checkout, "examples", c.example));
    npmInstall(first!);
    for (const dir of others) execFileSync("cp", ["-al", join(first!, "node_modules"), join(dir, "node_modules")]);
    server = await startTryEmulator(join(checkout, ".emulator"), { PULUMI_BIN_DIR: await pulumiBinDir() });
    env = {
      PATH: process.env.PATH, HOME: join(root, "home"), PULUMI_HOME: join(root, "pulumi-home"), NO_COLOR: "1",
      PULUMI_SKIP_CONFIRMATIONS: "true", npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? root, ".npm"),
    };
    mkdirSync(env.HOME!);
  });
  after(async () => {
    await server?.stop();
    if (root) removeRoot(root);
  });

  /** One line in the example's folder after the env file, as the user's shell has it; its stdout. */
  const shell = (dir: string, line: string) => new Promise<string>((done, fail) => {
    execFile("bash", ["-c", `source ../../.emulator/env && ${line}`], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 },
      (error, stdout, stderr) => (error ? fail(new Error(`${line} failed: ${stdout.slice(-2000)}\n${stderr.slice(-2000)}`)) : done(stdout)));
  });

  // docs/readers.md's CLI lines, as written, in the folder of examples/basic once its README has deployed it.
  const cliCase = { example: "basic", block: docBlock("docs/readers.md", "readers-cli") };

  for (const c of cases) {
    it(`examples/${c.example}: every line of its README runs; decrypts print the secrets; nothing else holds them`, async () => {
      const dir = join(checkout, "examples", c.example);
      const printed: string[] = [];
      const decrypted: string[] = [];
      for (const block of c.blocks) {
        for (const line of shellCommands(block.code)) {
          const out = await shell(dir, line).catch((e: Error) => assert.fail(`${block.file}:${block.line}: ${e.message}`));
          if (/ decrypt\b/.test(line) && !line.includes("--out ")) decrypted.push(out);
          else printed.push(out);
        }
      }
      assert.deepEqual(decrypted, c.decrypted);
      if (c.example === "envelope") {
        // The decrypt wrote the key file back, byte for byte what openssl made.
        const key = readFileSync(join(dir, "tls.key"), "utf8");
        assert.match(key, /^-----BEGIN PRIVATE KEY-----\n/);
        c.secrets.push(key.split("\n")[1]!);
      }
      const stored = [await shell(dir, "pulumi stack export --show-secrets"), ...printed].join("\n");
      for (const secret of c.secrets) {
        for (const form of secretForms(secret)) assert.equal(stored.includes(form), false, `${c.example}: a plaintext is stored or printed`);
      }
    });
  }

  it(`${cliCase.block.file}'s CLI lines, in examples/${cliCase.example} after its README: every decrypt gives back what went in`, async () => {
    const dir = join(checkout, "examples", cliCase.example);
    const opened: string[] = [];
    for (const line of shellCommands(cliCase.block.code)) {
      const out = await shell(dir, line).catch((e: Error) => assert.fail(`${cliCase.block.file}:${cliCase.block.line}: ${e.message}`));
      if (/ decrypt\b/.test(line) && !line.includes("--out ")) opened.push(out);
    }
    assert.deepEqual(opened, ["correct horse battery staple", "correct horse battery staple", "tok_5f3c9a1e"]);
    assert.deepEqual(readFileSync(join(dir, "tls.key.opened")), readFileSync(join(dir, "tls.key")));
    assert.equal(statSync(join(dir, "tls.key.opened")).mode & 0o777, 0o600);
  });
});
