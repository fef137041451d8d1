import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BenchProject, type Op, OPS, seedFor } from "../../bench/bench-project";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { packPackage, removeRoot, tempRoot } from "./pulumi-project";

// KMS calls per pulumi command, from the emulator's own counts, with the real CLI and the
// benchmark's program: values dealt over two keys, deployed at two sizes. Encrypt calls must
// follow N (API mode) or be zero (local mode); every other call must not depend on N at all.

const KEYS = 2;
const SIZES = [3, 12] as const;
const ENCRYPT = "AsymmetricEncrypt";

type Calls = Record<string, number>;
const metadataOf = (calls: Calls) => Object.fromEntries(Object.entries(calls).filter(([action]) => action !== ENCRYPT));

describe("KMS call economy of pulumi preview / up / unchanged up (real CLI)", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let emulator: KmsEmulator;
  let bench: BenchProject;
  const calls: Record<string, Record<number, Record<Op, Calls>>> = { api: {}, local: {} };

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({ seed: seedFor(KEYS) });
    bench = await BenchProject.create(root, packPackage(root));
    const keyIds = seedFor(KEYS).keys.map((k) => k.keyId).join(",");
    for (const program of ["api", "local"] as const) {
      for (const n of SIZES) {
        await bench.stack(`${program}-${n}`, program, n, emulator, keyIds);
        const byOp = {} as Record<Op, Calls>;
        for (const op of OPS) byOp[op] = (await bench.measure(op, emulator)).kmsCalls;
        calls[program]![n] = byOp;
      }
    }
  });

  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("API mode: create makes one AsymmetricEncrypt per value; unchanged up and preview make none", () => {
    for (const n of SIZES) {
      assert.equal(calls.api![n]!.create[ENCRYPT], n, `create, N=${n}: ${JSON.stringify(calls.api![n])}`);
      assert.equal(calls.api![n]!.unchanged[ENCRYPT], undefined, `unchanged, N=${n}`);
      assert.equal(calls.api![n]!.preview[ENCRYPT], undefined, `preview, N=${n}`);
    }
  });

  it("local mode: no encrypt call at all, one GetPublicKey per key version", () => {
    for (const n of SIZES) {
      for (const op of OPS) assert.equal(calls.local![n]![op][ENCRYPT], undefined, `${op}, N=${n}: ${JSON.stringify(calls.local![n])}`);
      assert.equal(calls.local![n]!.create.GetPublicKey, KEYS, `create, N=${n}`);
    }
  });

  it("every call but the encryptions is per key, not per value: the same at N=3 and N=12", () => {
    for (const program of ["api", "local"] as const) {
      for (const op of OPS) {
        const [small, large] = SIZES.map((n) => metadataOf(calls[program]![n]![op]));
        assert.deepEqual(large, small, `${program} ${op}`);
        for (const [action, count] of Object.entries(large!)) {
          assert.ok(count <= KEYS, `${program} ${op}: ${action} ${count} times for ${KEYS} keys`);
        }
      }
    }
  });

  it("preview validates with at most one DryRun per (key, version, algorithm)", () => {
    for (const program of ["api", "local"] as const) {
      for (const n of SIZES) {
        const dryRuns = Object.entries(calls[program]![n]!.preview).filter(([action]) => action.endsWith(":DryRun"));
        assert.ok(dryRuns.length > 0, `${program} N=${n}: preview validated through DryRun`);
        for (const [action, count] of dryRuns) assert.ok(count <= KEYS, `${program} N=${n}: ${action} ${count}`);
      }
    }
  });
});
