import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { docBlock, shellCommands } from "../support/doc-blocks";

// The README's install block, as written: until the package is on the registry, `npm pack` in a
// checkout and `npm install` of the tarball from the user's project. The tarball it names is the
// one `npm pack` writes, and its install line, run in a fresh project beside the checkout, gives a
// package that loads (decrypt and the SDK).

const repoRoot = resolve(__dirname, "../..");
const block = docBlock("README.md", "readme-install").code;

describe("the README's install block", () => {
  const root = mkdtempSync(join(tmpdir(), "readme-install-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const lines = shellCommands(block);

  it("packs in the checkout and installs the tarball npm pack writes", () => {
    assert.deepEqual(lines.map((l) => l.split(" ")[0]), ["npm", "npm"], "two commands, each a line");
    assert.equal(lines[0], "npm ci && npm pack");
    const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot, encoding: "utf8" })) as
      { filename: string }[];
    assert.equal(lines[1], `npm install ../pulumi-alicloud-kms-encrypted/${filename}`);
  });

  it("run as written from a project beside the checkout, the package loads", () => {
    // `npm pack` in a checkout: this one's tracked files copied beside the project (its node_modules
    // linked: npm ci has been run here), so that prepack's build empties no dist/ that other files
    // are running from.
    const checkout = join(root, "pulumi-alicloud-kms-encrypted");
    mkdirSync(checkout);
    const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8" }).split("\0")
      .filter((f) => f && existsSync(join(repoRoot, f)));
    for (const f of tracked) cpSync(join(repoRoot, f), join(checkout, f));
    symlinkSync(join(repoRoot, "node_modules"), join(checkout, "node_modules"), "dir");
    execFileSync("npm", ["pack", "--silent"], { cwd: checkout, stdio: "pipe" });
    const project = join(root, "my-project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "my-project", private: true }));
    const [command, ...args] = lines[1]!.split(" ");
    execFileSync(command!, [...args, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: project, stdio: "pipe" });
    const loaded = execFileSync(process.execPath, ["-e",
      "const d = require('pulumi-alicloud-kms-encrypted/decrypt'); process.stdout.write(typeof d.decrypt + ' ' + typeof d.DecryptError)"],
    { cwd: project, encoding: "utf8" });
    assert.equal(loaded, "function function");
  });
});
