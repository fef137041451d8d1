import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { docBlock, shellCommands } from "../support/doc-blocks";
import { startTryEmulator, type TryEmulator } from "./try-emulator-process";
import { installProgram, programManifest } from "../support/shared-build";
import { packPackage, removeRoot, tempRoot } from "./pulumi-project";

// The README's recipe for a newcomer's own program, run as written: `npm run try-emulator` in the
// checkout, then in a fresh project beside it `source …/.emulator/env`, `pulumi stack init dev &&
// pulumi up`, a rotation with the emulator's command and another up; the value decrypts through the
// installed CLI with nothing but the sourced settings. (Only the port and the .emulator directory
// are moved, so the test keeps apart from a demo or recipe running on this machine.)

const repoRoot = resolve(__dirname, "../..");
const recipe = shellCommands(docBlock("README.md", "readme-try").code);

describe("the README's recipe: your own program on the emulator", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let server: TryEmulator;
  let project: string;
  let envFile: string;
  const password = `recipe-${Date.now().toString(36)}-secret`;
  /** A recipe line run by bash in the project, after sourcing the env file as the recipe says. */
  const shell = (line: string) => execFileSync("bash", ["-c", `source ${JSON.stringify(envFile)} && ${line}`], {
    cwd: project, encoding: "utf8", env: { PATH: process.env.PATH, HOME: join(root, "home") }, stdio: ["ignore", "pipe", "pipe"],
  });

  before(async () => {
    assert.equal(recipe.length, 4, "four lines");
    assert.equal(recipe[0], "npm run try-emulator");
    root = tempRoot();
    mkdirSync(join(root, "home"));
    const dir = join(root, "checkout-emulator");
    server = await startTryEmulator(dir);
    const printed = server.printed;
    envFile = join(dir, "env");
    assert.match(printed, new RegExp(`source ${envFile.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
    assert.equal(statSync(envFile).mode & 0o777, 0o600, "the env file (an access key) is its owner's only");

    // A project laid out as `pulumi new typescript` would (JavaScript here), the package installed from its tarball.
    project = join(root, "my-project");
    mkdirSync(project);
    writeFileSync(join(project, "Pulumi.yaml"), "name: my-project\nruntime: nodejs\n");
    copyFileSync(join(__dirname, "try-program/index.js"), join(project, "index.js"));
    const tarball = packPackage(root);
    writeFileSync(join(project, "package.json"), programManifest("my-project", tarball));
    installProgram(project, tarball);
  });
  after(async () => {
    await server?.stop();
    if (root) removeRoot(root);
  });

  it("stack init and up deploy, a rotation re-encrypts at the next up, and the value decrypts", () => {
    assert.match(recipe[1]!, /^source \.\.\/pulumi-alicloud-kms-encrypted\/\.emulator\/env$/);
    assert.equal(recipe[2], "pulumi stack init dev && pulumi up");
    shell("pulumi stack init dev --non-interactive");
    shell(`pulumi config set --secret dbPassword ${password} --non-interactive`);
    shell("pulumi up --yes --non-interactive");
    const first = JSON.parse(shell("pulumi stack output --json")) as { envelope: string; keyVersionId: string };
    const opened = shell(`printf %s ${JSON.stringify(first.envelope)} | ./node_modules/.bin/pulumi-alicloud-kms-encrypted decrypt`);
    assert.equal(opened, password);

    // The recipe's rotation, from the project (its npm --prefix names the checkout; here, this one).
    const rotate = recipe[3]!.replace("../pulumi-alicloud-kms-encrypted", repoRoot);
    assert.match(rotate, /run --silent kms-emulator -- rotate alias\/rsa-2048$/);
    const rotated = JSON.parse(shell(rotate)) as { PrimaryKeyVersion: string };
    assert.notEqual(rotated.PrimaryKeyVersion, first.keyVersionId);
    shell("pulumi up --yes --non-interactive");
    const second = JSON.parse(shell("pulumi stack output --json")) as { envelope: string; keyVersionId: string };
    assert.equal(second.keyVersionId, rotated.PrimaryKeyVersion, "re-encrypted under the new version");
    assert.equal(shell(`printf %s ${JSON.stringify(second.envelope)} | ./node_modules/.bin/pulumi-alicloud-kms-encrypted decrypt`), password);
  });
});
