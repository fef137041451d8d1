import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import ts from "typescript";
import { docBlock, shellCommands } from "../support/doc-blocks";
import { startTryEmulator, type TryEmulator } from "./try-emulator-process";
import { installProgram, programManifest } from "../support/shared-build";
import { packPackage, removeRoot, tempRoot } from "./pulumi-project";

// The README, as a newcomer runs it: its minimal program (compiled as written) in a fresh project
// beside the checkout, its recipe for the emulator (`npm run try-emulator` in the checkout, then in
// the project `source …/.emulator/env`, stack init, the secret, up, a rotation with the emulator's
// command and another up), its deploy block, and its application line (compiled as written, run by
// Node from the project) opening the program's envelope output with nothing but the sourced
// settings. Pulumi's PULUMI_SKIP_CONFIRMATIONS stands in for the user's "yes" at `pulumi up`. (Only
// the port and the .emulator directory are moved, so the test keeps apart from a demo or recipe
// running on this machine.)

const repoRoot = resolve(__dirname, "../..");
const recipe = shellCommands(docBlock("README.md", "readme-try").code);
const deploy = shellCommands(docBlock("README.md", "readme-deploy").code);
const program = docBlock("README.md", "readme-program").code;
const application = docBlock("README.md", "readme-application").code;
const compiled = (code: string, module: ts.ModuleKind) =>
  ts.transpileModule(code, { compilerOptions: { module, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;

describe("the README's program, recipe and application line, on the emulator", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let server: TryEmulator;
  let project: string;
  let envFile: string;
  /** A recipe line run by bash in the project, after sourcing the env file as the recipe says. */
  const shell = (line: string, env: NodeJS.ProcessEnv = {}) => execFileSync("bash", ["-c", `source ${JSON.stringify(envFile)} && ${line}`], {
    cwd: project, encoding: "utf8", env: { PATH: process.env.PATH, HOME: join(root, "home"), PULUMI_SKIP_CONFIRMATIONS: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });

  before(async () => {
    assert.equal(recipe[0], "npm run try-emulator");
    root = tempRoot();
    mkdirSync(join(root, "home"));
    const dir = join(root, "checkout-emulator");
    server = await startTryEmulator(dir);
    const printed = server.printed;
    envFile = join(dir, "env");
    assert.match(printed, new RegExp(`source ${envFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    assert.match(printed, /certificate [0-9a-f-]{36} RSA_2048/, "the banner lists the certificate");
    assert.equal(statSync(envFile).mode & 0o777, 0o600, "the env file (an access key) is its owner's only");

    // A project laid out as `pulumi new typescript` would: the README's program as its index
    // (compiled), the package from its tarball.
    project = join(root, "my-project");
    mkdirSync(project);
    writeFileSync(join(project, "Pulumi.yaml"), "name: my-project\nruntime: nodejs\n");
    writeFileSync(join(project, "index.js"), compiled(program, ts.ModuleKind.CommonJS));
    const tarball = packPackage(root);
    writeFileSync(join(project, "package.json"), programManifest("my-project", tarball));
    installProgram(project, tarball);
  });
  after(async () => {
    await server?.stop();
    if (root) removeRoot(root);
  });

  it("the recipe deploys the README's program, a rotation re-encrypts at the next up, and the application line opens it", () => {
    assert.match(recipe[1]!, /^source \.\.\/pulumi-alicloud-kms-encrypted\/\.emulator\/env$/);
    const rotation = recipe.findIndex((l) => l.includes(" rotate "));
    const [secret] = /'[^']+'/.exec(recipe.find((l) => l.startsWith("pulumi config set --secret dbPassword"))!)!;
    const password = secret.slice(1, -1);
    // The application line's password, printed by the application: `password` is its only binding.
    const open = (envelope: string) => {
      writeFileSync(join(project, "print.mjs"), `${compiled(application, ts.ModuleKind.ESNext)}\nprocess.stdout.write(password);\n`);
      return shell("node print.mjs", { DB_PASSWORD_ENVELOPE: envelope });
    };
    for (const line of recipe.slice(2, rotation)) shell(line);
    const first = JSON.parse(shell("pulumi stack output --json")) as { envelope: string; ciphertext: string };
    assert.equal(open(first.envelope), password);

    // The recipe's rotation, from the project (its npm --prefix names the checkout; here, this one).
    const rotated = JSON.parse(shell(recipe[rotation]!.replace("../pulumi-alicloud-kms-encrypted", repoRoot))) as { PrimaryKeyVersion: string };
    for (const line of recipe.slice(rotation + 1)) shell(line);
    const exported = JSON.parse(shell("pulumi stack export")) as { deployment: { resources: { outputs?: { keyVersionId?: string } }[] } };
    const versions = exported.deployment.resources.map((r) => r.outputs?.keyVersionId).filter(Boolean);
    assert.deepEqual(versions, [rotated.PrimaryKeyVersion], "re-encrypted under the new version");
    const second = JSON.parse(shell("pulumi stack output --json")) as { envelope: string };
    assert.notEqual(second.envelope, first.envelope);
    assert.equal(open(second.envelope), password);

    // The README's deploy block, as written (the region line and up), on the same stack: nothing to do.
    for (const line of deploy) assert.doesNotMatch(shell(line), /error/i, line);
    assert.equal(JSON.parse(shell("pulumi stack output --json")).envelope, second.envelope);
  });
});
