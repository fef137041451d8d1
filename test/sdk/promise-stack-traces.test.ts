import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";

// Constructing an EncryptedValue (the dynamic provider's, or the plugin's from `/plugin`) does not
// capture @pulumi/pulumi's per-promise stack traces (the program's largest cost per value),
// restores stack traces afterwards even when construction throws, and keeps them when
// PULUMI_DEBUG_PROMISE_LEAKS asks for them. Each case runs in its own process: the mocks and the
// global stack-trace limit are process-wide.

const script = `
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: () => ({}) }, "p", "s", false).then(() => {
  const { EncryptedValue } = require(process.argv[1]);
  const before = performance.now();
  for (let i = 0; i < 200; i++) new EncryptedValue("v" + i, { plaintext: "p" + i, keyId: "alias/x" });
  const ms = performance.now() - before;
  let thrown;
  const failing = () => { throw new Error("transformation failed"); };
  try { new EncryptedValue("boom", { plaintext: "x", keyId: "alias/x" }, { transformations: [failing] }); } catch (e) { thrown = e; }
  const leakCandidates = [...require("@pulumi/pulumi/runtime/state").getStore().leakCandidates];
  const stacks = leakCandidates.map((p) => p._debugStackTrace).filter((s) => typeof s === "string");
  process.stdout.write(JSON.stringify({ limit: Error.stackTraceLimit, thrown: thrown && thrown.message,
    withFrames: stacks.filter((s) => s.includes("\\n")).length, total: stacks.length, ms }));
});
`;

const SDKS = { "dynamic provider": "../../sdk", "plugin (/plugin)": "../../sdk/plugin" };

function construct(env: NodeJS.ProcessEnv, sdk: string): { limit: number; thrown?: string; withFrames: number; total: number } {
  // The mocked program leaves its promises pending on purpose, so @pulumi/pulumi's leak report on exit is expected.
  const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script, require.resolve(sdk)], { env: { ...process.env, ...env }, encoding: "utf8" });
  return JSON.parse(run.stdout);
}

for (const [label, sdk] of Object.entries(SDKS)) {
  describe(`stack traces while an EncryptedValue is constructed: ${label}`, () => {
    it("are not captured for the SDK's promises, and are back afterwards, also after a throw", () => {
      const r = construct({ PULUMI_DEBUG_PROMISE_LEAKS: "" }, sdk);
      assert.equal(r.limit, 10, "Error.stackTraceLimit is restored");
      assert.equal(r.thrown, "transformation failed", "a failure inside construction still says what failed");
      assert.ok(r.total > 200, `the SDK made promises (${r.total})`);
      assert.ok(r.withFrames < r.total / 4, `most promises of construction carry no captured frames (${r.withFrames} of ${r.total})`);
    });

    it("are captured as before when PULUMI_DEBUG_PROMISE_LEAKS asks for leak debugging", () => {
      const r = construct({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }, sdk);
      assert.equal(r.limit, 10);
      assert.ok(r.withFrames > r.total / 2, `promises carry their stacks (${r.withFrames} of ${r.total})`);
    });
  });
}
