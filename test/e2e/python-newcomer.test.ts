import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { linkSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hostPlatform, packagePlugin, packageVersion, tarballName, wheelName } from "../../provider/plugin/build/package";
import { docBlock, shellCommands } from "../support/doc-blocks";
import { secretForms } from "../support/secret-forms";
import { placeLanguageHosts } from "./language-hosts";
import { pulumiBinDir } from "./pulumi-bin";
import { removeRoot, tempRoot } from "./pulumi-project";
import { linkedCheckout, startTryEmulator, type TryEmulator } from "./try-emulator-process";

// Issue 35's newcomer: a Python Pulumi user with a Pulumi CLI and Python, following only
// docs/python.md ("What you need", "Your own program on the emulator"), in a fresh HOME. Their CLI
// is on PATH laid out as a release is (the CLI with its Python host beside it: here the ones this
// repository builds, linked into a folder of their own); no Go is on PATH and the build cache is
// empty, so try-emulator can build nothing and must take that CLI. The checkout's blocks (plugin
// package, try-emulator with the language), the project's Pulumi.yaml and __main__.py, and every
// line of the project's block run as written; the plugin comes from try-emulator's install, the
// SDK from its wheel, and no integrity key is set. Pulumi's PULUMI_SKIP_CONFIRMATIONS stands in for
// the user's "yes" at `pulumi up`; pip's cache is the machine's (the packages are PyPI's either way).

const PAGE = "docs/python.md";

describe("a Python newcomer, from docs/python.md, in a fresh HOME", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let checkout: string;
  let project: string;
  let server: TryEmulator;
  let env: NodeJS.ProcessEnv;
  const checkoutLines = shellCommands(docBlock("docs/python.md", "python-checkout").code);
  const projectLines = shellCommands(docBlock("docs/python.md", "python-own-program").code);

  before(async () => {
    assert.deepEqual(checkoutLines, ["npm ci && npm run plugin:package", "npm run try-emulator -- python"]);
    root = tempRoot();
    // The user's Pulumi CLI, as a release lays it out: the CLI and its language hosts side by side.
    const release = join(root, "pulumi-release");
    mkdirSync(release);
    const built = await pulumiBinDir();
    await placeLanguageHosts(built, ["python"]);
    for (const file of ["pulumi", "pulumi-language-nodejs", "pulumi-language-python", "pulumi-language-python-exec"]) {
      linkSync(join(built, file), join(release, file));
    }
    // PATH: that CLI, Node, Python and the system's tools; no Go.
    // The interpreter itself (a pyenv shim would look for pyenv under the fresh HOME).
    const python = await new Promise<string>((done, fail) =>
      execFile("python3", ["-c", "import sys; print(sys.executable)"], (e, out) => (e ? fail(e) : done(dirname(out.trim())))));
    const path = [release, dirname(process.execPath), python, "/usr/local/bin", "/usr/bin", "/bin"]
      .filter((d) => !readdirSync(d).includes("go")).join(":");
    const home = join(root, "home");
    mkdirSync(home);
    env = {
      PATH: path, HOME: home, PULUMI_SKIP_CONFIRMATIONS: "true",
      PIP_CACHE_DIR: process.env.PIP_CACHE_DIR ?? join(homedir(), ".cache", "pip"), PIP_DISABLE_PIP_VERSION_CHECK: "1",
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), ".npm"),
    };

    // The checkout's block: its build (npm ci is this checkout's own), then try-emulator naming Python.
    checkout = join(root, "pulumi-alicloud-kms-encrypted");
    linkedCheckout(checkout);
    const written = await packagePlugin({ out: join(checkout, "dist", "plugin") });
    for (const file of [tarballName(packageVersion(), hostPlatform()), wheelName(packageVersion())]) {
      assert.ok(written.some((w) => w.endsWith(file)), `plugin:package wrote ${file}`);
    }
    server = await startTryEmulator(join(checkout, ".emulator"), {
      ...env, PULUMI_BIN_DIR: "", PULUMI_LANGUAGE_HOSTS_DIR: "", PULUMI_BIN_CACHE: join(root, "empty-cache"), XDG_CACHE_HOME: join(root, "empty-cache"),
    }, { checkout, args: ["python"] });

    // The project, beside the checkout: its Pulumi.yaml and __main__.py as the page gives them.
    project = join(root, "my-secrets");
    mkdirSync(project);
    writeFileSync(join(project, "Pulumi.yaml"), docBlock("docs/python.md", "python-own-pulumi-yaml").code);
    writeFileSync(join(project, "__main__.py"), docBlock("docs/python.md", "python-own-main").code);
  });
  after(async () => {
    await server?.stop();
    if (root) removeRoot(root);
  });

  it("try-emulator takes the CLI on PATH and builds nothing; the project's lines deploy; the envelope opens; nothing else holds it", async () => {
    assert.match(server.printed, /Using the Pulumi CLI on PATH, v3\.\d+\.\d+; the resource plugin alicloud-kms [\d.]+ installed\./);
    const printed: string[] = [];
    let decrypted = "";
    // One bash, as a terminal keeps its `source` and `export`s from line to line.
    const script = projectLines.map((line) => `${line}\necho "::done:: $?"`).join("\n");
    const out = await new Promise<string>((done, fail) => {
      execFile("bash", ["-e", "-c", script], { cwd: project, env, encoding: "utf8", maxBuffer: 64 << 20, timeout: 15 * 60_000 },
        (error, stdout, stderr) => (error ? fail(new Error(`${PAGE}: ${error.message}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`))
          : done(`${stdout}\n${stderr}`)));
    });
    const parts = out.split(/::done:: 0\n/);
    assert.equal(parts.length, projectLines.length + 1, "every line ran and succeeded");
    projectLines.forEach((line, i) => (line.includes(" decrypt") ? (decrypted = parts[i]!) : printed.push(parts[i]!)));
    assert.equal(decrypted, "correct horse battery staple");
    const transcript = printed.join("\n");
    assert.doesNotMatch(transcript, /using pulumi-language-\S+ from \$PATH/);
    assert.doesNotMatch(transcript, /integrityKey/);

    const stored = await new Promise<string>((done, fail) => execFile("bash", ["-c",
      "source ../pulumi-alicloud-kms-encrypted/.emulator/env && pulumi stack export --show-secrets && pulumi config"],
    { cwd: project, env, encoding: "utf8", maxBuffer: 64 << 20 }, (e, stdout) => (e ? fail(e) : done(stdout))));
    assert.match(stored, /integrityRoot/, "the value keeps its own root");
    for (const form of secretForms("correct horse battery staple")) {
      assert.equal(`${stored}\n${transcript}`.includes(form), false, "the password is stored or printed");
    }
  });

  // docs/plugin.md's install lines (for an account, where no try-emulator installs it), in the checkout.
  it("docs/plugin.md's install lines install the plugin from the checkout's tarball", async () => {
    const [build, install] = shellCommands(docBlock("docs/plugin.md", "plugin-install").code);
    assert.equal(build, checkoutLines[0], "the same build as the page's");
    const pulumiHome = join(root, "account-pulumi-home");
    const run = (command: string) => new Promise<string>((done, fail) => execFile("bash", ["-c", command],
      { cwd: checkout, env: { ...env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" }, encoding: "utf8" },
      (e, stdout, stderr) => (e ? fail(new Error(`${command}: ${stderr}`)) : done(stdout))));
    await run(install!.replace("linux-amd64", hostPlatform()));
    assert.match(await run("pulumi plugin ls"), /alicloud-kms\s+resource\s+0\.1\.0/);
  });
});
