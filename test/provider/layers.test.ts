import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

// provider/ shows its jobs as floors, and imports run downward only: the ground floor (shared
// encodings and error types at provider/'s top: base64, message-only-error, redact), then kms/ (the
// service and what KMS itself would compute), crypto/ (envelopes and tags over KMS), engine/ (every
// decision), and the doors on top (plugin/, the toolkit and index the SDK reads).

const root = resolve(__dirname, "../../provider");
const FLOORS: Record<string, number> = { ground: 0, kms: 1, crypto: 2, engine: 3, plugin: 4, doors: 4 };

function floorOf(file: string): string {
  const [top, ...rest] = relative(root, file).split("/");
  if (rest.length === 0) return ["toolkit.ts", "index.ts"].includes(top!) ? "doors" : "ground";
  return top!;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []);
}

describe("provider/'s floors", () => {
  it("every relative import runs to the same floor or one below", () => {
    const upward: string[] = [];
    for (const file of sources(root)) {
      const floor = floorOf(file);
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*? from "(\.[^"]+)";/gms)) {
        const target = resolve(dirname(file), spec!);
        if (!target.startsWith(root)) continue;
        const to = floorOf(`${target}.ts`);
        if (FLOORS[to]! > FLOORS[floor]!) upward.push(`${relative(root, file)} (${floor}) imports ${spec} (${to})`);
      }
    }
    assert.deepEqual(upward, []);
  });
});
