import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { hostPlatform, packagePlugin } from "../../provider/plugin/build/package";
import { docBlock, shellCommands } from "../support/doc-blocks";
import { secretForms } from "../support/secret-forms";
import { filesUnder } from "./offline-pulumi";
import { linkedCheckout, startTryEmulator, type TryEmulator } from "./try-emulator-process";
import { pulumiBinDir } from "./pulumi-bin";
import { removeRoot, tempRoot } from "./pulumi-project";

// YAML and Python programs on the alicloud-kms resource plugin, through the real CLI, from the
// recipe their pages give (docs/yaml.md, docs/python.md) run as written, in a copy of the example
// beside a checkout (links to this one), with the plugin installed from its tarball and the
// emulator that `npm run try-emulator` serves. Then the rest of a deployment's life, as the
// prototype's scenario had it: a bad key fails the preview; a preview makes only DescribeKey-type
// calls and DryRuns; up encrypts and stores no plaintext in any form (state, backend files, outputs,
// anything printed, the saved plan); a no-op up encrypts nothing; a rotation re-encrypts exactly the
// rotated key's value through a saved plan (`preview --save-plan`, `up --plan`); refresh finds nothing stale;
// destroy empties the stack. One file per language (plugin-yaml.test.ts, plugin-python.test.ts),
// so that the two run side by side.

const repoRoot = resolve(__dirname, "../..");
type Stats = { calls: Record<string, number>; dryRunCalls: Record<string, number> };

const recipe = (language: "yaml" | "python") => shellCommands(language === "yaml"
  ? docBlock("docs/yaml.md", "plugin-try-yaml").code : docBlock("docs/python.md", "plugin-try-python").code);

const encryptions = (s: Stats) => ["AsymmetricEncrypt", "Encrypt", "CertificatePublicKeyEncrypt"]
  .reduce((n, a) => n + (s.calls[a] ?? 0) - (s.dryRunCalls[a] ?? 0), 0);

/** The recipe of docs/<language>.md and the deployment's life after it, as one describe. */
type StateResource = { type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> };
type Exported = { deployment: { resources: StateResource[] } };
/** The EncryptedValues resource in a stack export. */
const mapOf = (state: Exported) => state.deployment.resources.find((r) => r.type === "alicloud-kms:index:EncryptedValues")!;

export function pluginRecipeScenario(language: "yaml" | "python"): void {
  describe(`a ${language} program on the resource plugin, from docs/${language}.md's recipe`, { timeout: 20 * 60_000 }, () => {
    const lines = recipe(language);
    let root: string;
    let checkout: string;
    let example: string;
    let server: TryEmulator;
    let endpoint: string;
    const transcript: string[] = [];
    const secrets: Record<string, string> = {
      dbPassword: "correct horse battery staple", apiToken: "tok-5f3c9a1e7d2b", rotatedApiToken: "tok-rotated-8b2e4d0c",
    };
    /**
     * The environment every later command runs in: the recipe's preamble (the emulator's env file and
     * the PATH line(s)) run once in the example's folder, as the user's shell keeps it.
     */
    let recipeEnv: NodeJS.ProcessEnv;
    let planFile: string;

    /**
     * A command in the example's folder, as the recipe's shell would run it; its output, kept for the
     * leak scan unless it is a decrypt's (which prints the plaintext on purpose). PULUMI_HOME keeps
     * the installed plugin and the CLI's own files apart from the machine's.
     */
    const shell = (command: string, options: { fail?: boolean; decrypts?: boolean } = {}) => {
      try {
        const out = execFileSync("bash", ["-c", command], {
          cwd: example, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, env: recipeEnv,
        });
        if (!options.decrypts) transcript.push(out);
        if (options.fail) assert.fail(`${command} succeeded, and should not have`);
        return out;
      } catch (e) {
        const { stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string };
        transcript.push(stdout, stderr);
        if (options.fail) return `${stdout}${stderr}`;
        throw new Error(`${command} failed:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
      }
    };
    /** The emulator's admin paths, each on a connection of its own (the shell calls block this process for seconds). */
    const admin = (path: string, body?: unknown) => new Promise<unknown>((done, failed) => {
      const req = request(new URL(path, endpoint), { method: body === undefined ? "GET" : "POST", agent: false }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => done(JSON.parse(text)));
      });
      req.on("error", failed);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
    const stats = () => admin("/__emulator/stats") as Promise<Stats>;
    const resetStats = () => admin("/__emulator/reset-stats", {});
    const pulumi = (args: string, options: { fail?: boolean } = {}) => shell(`pulumi ${args} --non-interactive`, options);

    before(async () => {
      assert.equal(lines[0], "npm ci && npm run plugin:package");
      assert.equal(lines[1], `npm run try-emulator -- ${language}`);
      root = tempRoot();
      planFile = join(root, `plan-${language}.json`);
      // A checkout as the recipe sees it: this one's files by link, the example copied (it writes
      // its stack config and, for Python, its venv), the emulator's folder its own.
      checkout = join(root, "checkout");
      linkedCheckout(checkout);
      example = join(checkout, "examples", `plugin-${language}`);
      cpSync(join(repoRoot, "examples", `plugin-${language}`), example, { recursive: true });
      // The recipe's first line: the tarballs, the CLI bundle and the SDK's wheel, in this checkout's dist/plugin.
      await packagePlugin({ out: join(checkout, "dist", "plugin") });
      const binDir = await pulumiBinDir();
      // Its second: in the checkout, naming the language (its host is put beside the CLI; the plugin installed).
      server = await startTryEmulator(join(checkout, ".emulator"), { PULUMI_BIN_DIR: binDir }, { checkout, args: [language] });
      assert.match(server.printed, /the resource plugin alicloud-kms [\d.]+ installed/);
      endpoint = /KMS emulator on (http:\/\/\S+),/.exec(server.printed)![1]!;
      // The recipe from `cd` on: the cd is where shell() runs; every export and the venv as written.
      const [cdLine, ...rest] = lines.slice(2);
      assert.match(cdLine!, new RegExp(`^cd examples/plugin-${language} && source \\.\\./\\.\\./\\.emulator/env$`));
      const preamble = ["source ../../.emulator/env", ...rest.filter((l) => l.startsWith("export "))].join(" && ");
      const shellEnv = { PATH: `${process.env.PATH}`, HOME: `${process.env.HOME}`, PULUMI_HOME: join(root, "pulumi-home"), NO_COLOR: "1" };
      const exported = execFileSync("bash", ["-c", `${preamble} && env -0`], { cwd: example, encoding: "utf8", env: shellEnv, stdio: ["ignore", "pipe", "pipe"] });
      recipeEnv = Object.fromEntries(exported.split("\0").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
      // The contract: the CLI's folder, on PATH, holds no alicloud-kms plugin (the engine would prefer it to the installed one).
      assert.equal(readdirSync(binDir).some((f) => f.startsWith("pulumi-resource-alicloud-kms")), false);
      const platform = (l: string) => l.replace("linux-amd64", hostPlatform());
      for (const line of rest.filter((l) => !l.startsWith("export ") && !l.startsWith("pulumi up") && !l.includes(" decrypt"))) {
        if (line.startsWith("python3 -m venv")) execFileSync("bash", ["-c", line], { cwd: example, stdio: "pipe" });
        else shell(platform(line.startsWith("pulumi stack init") ? `${line} --non-interactive` : line));
      }
    });
    after(async () => {
      await server?.stop();
      if (root) removeRoot(root);
    });

    it("a key that does not exist fails the preview, naming keyId, and nothing is encrypted", async () => {
      pulumi("config set keyId alias/no-such-key");
      await resetStats();
      const out = pulumi("preview", { fail: true });
      assert.match(out, /keyId/);
      assert.match(out, /alias\/no-such-key/);
      assert.equal(encryptions(await stats()), 0);
      pulumi("config rm keyId");
    });

    it("preview validates through DryRun only; up, as the recipe runs it, stores only ciphertext, and decrypt opens it", async () => {
      await resetStats();
      // Saved and replayed (`up --plan`): each new value's integrity root comes from the engine's seed, which the plan replays.
      pulumi(`preview --save-plan ${planFile}`);
      const previewed = await stats();
      assert.equal(encryptions(previewed), 0, "a preview encrypts nothing");
      const made = Object.keys(previewed.calls).filter((a) => (previewed.calls[a] ?? 0) > (previewed.dryRunCalls[a] ?? 0));
      assert.deepEqual(made, ["DescribeKey"], "nothing but DescribeKey and DryRuns");
      assert.ok((previewed.dryRunCalls.AsymmetricEncrypt ?? 0) + (previewed.dryRunCalls.Encrypt ?? 0) > 0, "it validates through DryRun");

      assert.ok(lines.some((l) => l === "pulumi up"));
      pulumi(`up --yes --plan ${planFile}`);
      assert.equal(encryptions(await stats()) - encryptions(previewed), 4, "one value, a map of two entries and a password");
      const decryptLine = lines.find((l) => l.includes(" decrypt"))!;
      assert.equal(shell(decryptLine, { decrypts: true }), secrets.dbPassword);
      const outputs = JSON.parse(pulumi("stack output --json --show-secrets")) as Record<string, Record<string, string>>;
      assert.deepEqual(Object.keys(outputs.appEnvelopes!).sort(), ["api", "db"], "both maps reach the program");
      const api = `printf %s ${JSON.stringify(outputs.appEnvelopes!.api)} | node ../../dist/plugin/pulumi-alicloud-kms-encrypted.js decrypt`;
      assert.equal(shell(api, { decrypts: true }), secrets.apiToken);
      // The password the provider drew: only a decrypt shows it; from here on no state, file or output may hold it.
      const drawn = shell(`printf %s ${JSON.stringify(outputs.passwordEnvelope)} | node ../../dist/plugin/pulumi-alicloud-kms-encrypted.js decrypt`,
        { decrypts: true });
      assert.equal(drawn.length, 24);
      assert.ok([...drawn].filter((c) => "!@#$%&*()-_=+[]{}<>:?".includes(c)).length >= 2, "minSpecial");
      secrets.generatedPassword = drawn;
      await assertNothingStored("after up");

      // No integrity key was set (the recipe has no such step): each value keeps a root of its own, a
      // secret (ciphertext) among its inputs, never an output, and no other form of it is in state.
      assert.doesNotMatch(pulumi("config"), /integrityKey/, "the recipe sets no integrity key");
      type Resource = { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
      type State = { deployment: { resources: Resource[] } };
      const exported = pulumi("stack export");
      const shown = (JSON.parse(pulumi("stack export --show-secrets")) as State).deployment.resources;
      const values = (JSON.parse(exported) as State).deployment.resources.filter((r) => r.type.startsWith("alicloud-kms:index:"));
      assert.equal(values.length, 3);
      for (const value of values) {
        const root = value.inputs?.integrityRoot as Record<string, unknown> | undefined;
        assert.equal(typeof root?.ciphertext, "string", `${value.type}: the root is a secret among its inputs`);
        assert.equal(value.outputs?.integrityRoot, undefined, `${value.type}: never an output`);
      }
      // --show-secrets shows a secret as its plaintext JSON-encoded, beside the secret signature.
      const plain = (v: unknown) => JSON.parse(String((v as { plaintext?: string } | undefined)?.plaintext)) as string;
      const roots = shown.filter((r) => r.type.startsWith("alicloud-kms:index:")).map((r) => plain(r.inputs?.integrityRoot));
      for (const root of roots) assert.match(root, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(new Set(roots).size, 3, "each value its own");
      for (const root of roots) for (const form of secretForms(root)) assert.equal(exported.includes(form), false, "a root in clear in state");
    });

    it("a no-op up encrypts nothing; a rotation re-encrypts exactly its value through a saved plan; refresh finds nothing stale", async () => {
      await resetStats();
      const noop = pulumi("up --yes");
      assert.match(noop, /4 unchanged/);
      assert.equal(encryptions(await stats()), 0);

      const before = JSON.parse(pulumi("stack output --json")) as { keyVersionId: string };
      const rotated = JSON.parse(shell("npm --prefix ../.. run --silent kms-emulator -- rotate alias/rsa-2048")) as { PrimaryKeyVersion: string };
      assert.notEqual(rotated.PrimaryKeyVersion, before.keyVersionId);
      const planned = pulumi(`preview --save-plan ${planFile}`);
      // The engine's log reaches the plugin's bundle (engine-log.ts, handed its client by the plugin's main).
      assert.match(planned, /will be re-encrypted: the key version changed/);
      await resetStats();
      pulumi(`up --yes --plan ${planFile}`);
      assert.equal(encryptions(await stats()), 1, "only the value under the rotated key");
      const after = JSON.parse(pulumi("stack output --json")) as { keyVersionId: string };
      assert.equal(after.keyVersionId, rotated.PrimaryKeyVersion);
      assert.equal(shell(lines.find((l) => l.includes(" decrypt"))!, { decrypts: true }), secrets.dbPassword);

      pulumi("refresh --yes");
      const state = JSON.parse(pulumi("stack export")) as { deployment: { resources: { type: string; outputs?: { staleReason?: string } }[] } };
      const values = state.deployment.resources.filter((r) => r.type.startsWith("alicloud-kms:index:"));
      assert.equal(values.length, 3);
      for (const v of values) assert.equal(v.outputs?.staleReason, "", v.type);
      await assertNothingStored("after the rotation and refresh");
    });

    // Security round 4, item 1: no tag covers the map a generated SDK gets derived (envelopes of a
    // direct map). Two entries swapped there by someone who can write state: up puts them back without
    // encrypting; done again, refresh names it.
    it("the derived map edited in state is put back by up, encrypting nothing, and named by refresh", async () => {
      type Resource = { type: string; outputs: Record<string, unknown> };
      type Exported = { deployment: { resources: Resource[] } };
      const tamper = () => {
        const state = JSON.parse(pulumi("stack export")) as Exported;
        const map = state.deployment.resources.find((r) => r.type === "alicloud-kms:index:EncryptedValues")!;
        const derived = String(map.outputs.derivedMap);
        const original = map.outputs[derived] as Record<string, string>;
        map.outputs[derived] = { ...original, db: original.api!, api: original.db! };
        const file = join(root, `tampered-${language}.json`);
        writeFileSync(file, JSON.stringify(state));
        pulumi(`stack import --file ${file}`);
        return { derived, original };
      };
      const derivedNow = (derived: string) => (JSON.parse(pulumi("stack export")) as Exported).deployment.resources
        .find((r) => r.type === "alicloud-kms:index:EncryptedValues")!.outputs[derived];

      const { derived, original } = tamper();
      await resetStats();
      const up = pulumi("up --yes");
      assert.match(up, /will be updated: its envelopes output is not what its ciphertexts give/);
      assert.match(up, /1 updated/);
      assert.equal(encryptions(await stats()), 0, "put back from the stored map, nothing encrypted");
      assert.deepEqual(derivedNow(derived), original);

      tamper();
      pulumi("refresh --yes");
      const state = JSON.parse(pulumi("stack export")) as Exported;
      const map = state.deployment.resources.find((r) => r.type === "alicloud-kms:index:EncryptedValues")!;
      assert.match(String(map.outputs.staleReason), /its envelopes output is not what its ciphertexts give \(edited in state\)/);
      assert.deepEqual(map.outputs[derived], original);
      await assertNothingStored("after the derived map was edited");
    });

    // Security round 4, item 2: 0.2's tags covered the stored strings only, so a value rolled back to an
    // older state of its own passed up. Here the map's whole older outputs, and its revisions among the
    // inputs, put back after the token was rotated: up re-encrypts that entry only, to the current token.
    if (language === "yaml") {
      it("a map rolled back in state to before its token was rotated: up re-encrypts that entry to the current token", async () => {
        // The refresh above left the map stale: the up after it re-encrypts it whole.
        pulumi("up --yes");
        const older = mapOf(JSON.parse(pulumi("stack export")) as Exported);
        pulumi(`config set --secret apiToken ${secrets.rotatedApiToken}`);
        await resetStats();
        pulumi("up --yes");
        assert.equal(encryptions(await stats()), 1, "the rotated entry");
        const state = JSON.parse(pulumi("stack export")) as Exported;
        const map = mapOf(state);
        map.outputs = older.outputs;
        map.inputs = { ...map.inputs, plaintextRevisions: older.inputs.plaintextRevisions };
        const file = join(root, `rolled-back-${language}.json`);
        writeFileSync(file, JSON.stringify(state));
        pulumi(`stack import --file ${file}`);
        // The map's own output, in state (the stack's outputs are the engine's, written at the next up).
        const apiNow = () => (mapOf(JSON.parse(pulumi("stack export")) as Exported).outputs.envelopes as Record<string, string>).api!;
        const open = (envelope: string) =>
          shell(`printf %s ${JSON.stringify(envelope)} | node ../../dist/plugin/pulumi-alicloud-kms-encrypted.js decrypt`, { decrypts: true });
        assert.equal(open(apiNow()), secrets.apiToken, "the threat: state holds the rotated-out token");

        await resetStats();
        const up = pulumi("up --yes");
        assert.match(up.replace(/\s+/g, " "), /the stored ciphertext of entry api does not match its integrity tag: the state was edited or rolled back/);
        assert.equal(encryptions(await stats()), 1, "the rolled-back entry only");
        assert.equal(open(apiNow()), secrets.rotatedApiToken);
        await resetStats();
        assert.match(pulumi("up --yes"), /4 unchanged/);
        assert.equal(encryptions(await stats()), 0);
        await assertNothingStored("after the rollback");
      });
    }

    // Security round 4, item 5: a key set without --secret sits in Pulumi.<stack>.yaml, where whoever
    // reads it can forge the tags. The engine marks Configure's copy of a --secret key as a secret;
    // one in clear is refused at preview. One set as a secret is taken: every value's tags, made under
    // its own root, then fail under the stack's key (the values would re-encrypt; the password refuses,
    // naming keepers). Removed again, each value is back on its own root: nothing changes.
    if (language === "yaml") {
      it("an integrity key set without --secret is refused at preview, naming the command; as a secret it is taken; removed, nothing changes", async () => {
        const key = randomBytes(32).toString("base64");
        pulumi(`config set alicloud-kms:integrityKey ${key}`);
        await resetStats();
        const refused = pulumi("preview", { fail: true }).replace(/\s+/g, " ");
        assert.match(refused, /alicloud-kms:integrityKey is set in clear in the stack's config .* pulumi config set --secret alicloud-kms:integrityKey "\$\(openssl rand -base64 32\)"/);
        assert.doesNotMatch(refused, /at .*\.js:\d+/, "no stack trace");
        assert.equal(encryptions(await stats()), 0);
        pulumi(`config set --secret alicloud-kms:integrityKey ${key}`);
        const taken = pulumi("preview", { fail: true }).replace(/\s+/g, " ");
        assert.doesNotMatch(taken, /set in clear/);
        assert.match(taken, /will be re-encrypted: .*does not match its integrity tag/);
        assert.match(taken, /the stored ciphertext of this password does not match its integrity tag .* change a value in keepers/);
        assert.equal(encryptions(await stats()), 0);
        pulumi("config rm alicloud-kms:integrityKey");
        assert.match(pulumi("preview"), /4 unchanged/);
      });
    }

    // Security round 4, also: the YAML runtime parses every stack config value, so an all-digit secret
    // reaches the plugin as a number (and 1.50 as 1.5). Refused, never encrypted as text not set; the
    // quoting the message gives keeps it text.
    if (language === "yaml") {
      it("an all-digit secret is refused at preview with the quoting that keeps it text; quoted, it is encrypted as set", async () => {
        const unquoted = "20261207";
        pulumi(`config set --secret apiToken ${unquoted}`);
        const refused = pulumi("preview", { fail: true }).replace(/\s+/g, " ");
        assert.match(refused, /plaintexts\.api is a number, not text: .* pulumi config set --secret <key> '"123456"'/);
        assert.equal(refused.includes(unquoted), false, "the value is not repeated");
        // docs/yaml.md's line, as written.
        const [quoted] = shellCommands(docBlock("docs/yaml.md", "yaml-quoted-secret").code);
        const pin = /^pulumi config set --secret apiToken '"(\d+)"'$/.exec(quoted ?? "")?.[1];
        assert.ok(pin, quoted);
        shell(quoted!);
        pulumi("up --yes");
        const api = (mapOf(JSON.parse(pulumi("stack export")) as Exported).outputs.envelopes as Record<string, string>).api!;
        assert.equal(shell(`printf %s ${JSON.stringify(api)} | node ../../dist/plugin/pulumi-alicloud-kms-encrypted.js decrypt`, { decrypts: true }), pin);
      });
    }

    // Security round 4, items 4 and 3 through the engine: KMS's own host name over plain HTTP (any
    // port) from stack config, and a secret list of recipients (fn::secret) whose context check
    // could not see, each refused at preview.
    if (language === "yaml") {
      it("an http:// KMS endpoint in config and a context inside fn::secret recipients are refused at preview", async () => {
        await resetStats();
        pulumi("config set alicloud-kms:endpoint http://kms.cn-hangzhou.aliyuncs.com:8080");
        const endpoint = pulumi("preview", { fail: true }).replace(/\s+/g, " ");
        pulumi("config rm alicloud-kms:endpoint");
        assert.match(endpoint, /'http:\/\/kms\.cn-hangzhou\.aliyuncs\.com:8080' is neither KMS's HTTPS endpoint for a region/);

        const program = join(example, "Pulumi.yaml");
        const original = readFileSync(program, "utf8");
        const tenant = `tenant-${randomBytes(6).toString("hex")}`;
        writeFileSync(program, original.replace("\noutputs:\n", `
  hidden-context:
    type: alicloud-kms:index:EncryptedValue
    properties:
      plaintext: \${apiToken}
      recipients:
        fn::secret:
          - keyId: \${keyId}
          - keyId: \${symmetricKeyId}
            encryptionContext:
              tenant: ${tenant}
outputs:
`));
        try {
          const hidden = pulumi("preview", { fail: true }).replace(/\s+/g, " ");
          assert.match(hidden, /recipients\[1\]\.encryptionContext holds a secret; the context is stored in state/);
          assert.equal(hidden.includes(tenant), false, "the secret context is not printed");
        } finally {
          writeFileSync(program, original);
        }
        assert.equal(encryptions(await stats()), 0, "a preview encrypts nothing");
      });
    }

    it("destroy empties the stack; no command warned of a language host from $PATH", async () => {
      pulumi("destroy --yes");
      const state = JSON.parse(pulumi("stack export")) as { deployment: { resources?: unknown[] } };
      assert.equal((state.deployment.resources ?? []).length, 0);
      const printed = transcript.join("\n");
      assert.ok(printed.includes(`kms-encrypted-${language}-dev`), "the transcript holds the commands' output");
      assert.doesNotMatch(printed, /using pulumi-language-\S+ from \$PATH/);
    });

    /** No form of either secret in state (secrets shown), the backend's files, the outputs or anything printed. */
    async function assertNothingStored(step: string): Promise<void> {
      const stored = [
        pulumi("stack export --show-secrets"),
        pulumi("stack output --json --show-secrets"),
        ...filesUnder(join(checkout, ".emulator", "backend")).map((f) => readFileSync(f, "utf8")),
        // The saved plan, once there is one: it holds the program's inputs, the plaintexts among them (encrypted).
        ...(existsSync(planFile) ? [readFileSync(planFile, "utf8")] : []),
        ...transcript,
      ].join("\n");
      for (const form of Object.values(secrets).flatMap((s) => secretForms(s))) {
        const at = stored.indexOf(form);
        assert.equal(at, -1, `${step}: a plaintext is stored or printed: …${stored.slice(Math.max(0, at - 200), at + 40)}`);
      }
    }
  });
}
