import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { INPUT_PROPERTIES } from "../../provider/engine/inputs";
import { ENTRIES_INPUT_PROPERTIES } from "../../provider/engine/entries-inputs";
import { CONFIG_KEYS } from "../../provider/plugin/plugin-config";
import { schema, schemaText } from "../../provider/plugin/schema";

// The plugin's schema keeps the TypeScript SDK's names: its inputs are exactly what the engine's
// check takes (one implementation behind both doors), its outputs at least what the TypeScript
// classes declare, every property documented; the committed schema.json (what the generators read)
// is the one the plugin answers with.

const root = resolve(__dirname, "../..");
type Documented = Record<string, { description?: string }>;
type Resource = { inputProperties: Documented; properties: Documented };
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const resources = schema(version).resources as Record<string, Resource>;

/** The outputs a TypeScript SDK class declares (`declare public readonly name`). */
function declaredOutputs(...files: string[]): string[] {
  return files.flatMap((f) => [...readFileSync(join(root, "sdk", f), "utf8").matchAll(/declare public readonly (\w+)/g)].map((m) => m[1]!));
}

describe("the plugin's schema", () => {
  it("is the committed provider/plugin/schema.json (npm run plugin:sdk writes it)", () => {
    assert.equal(readFileSync(join(root, "provider/plugin/schema.json"), "utf8"), `${schemaText(version)}\n`);
  });

  it("EncryptedValue takes exactly the engine's inputs and has every output the TypeScript class declares", () => {
    const value = resources["alicloud-kms:index:EncryptedValue"]!;
    assert.deepEqual(Object.keys(value.inputProperties).sort(), [...INPUT_PROPERTIES].sort());
    for (const output of declaredOutputs("encrypted-value.ts", "kms-target-resource.ts")) assert.ok(value.properties[output], output);
  });

  it("EncryptedValues takes exactly the engine's inputs and has every output the TypeScript class declares", () => {
    const values = resources["alicloud-kms:index:EncryptedValues"]!;
    // bindScope is taken only to be refused with its reason (one context cannot state each entry's); not offered.
    const offered = ENTRIES_INPUT_PROPERTIES.filter((p) => p !== "bindScope");
    assert.deepEqual(Object.keys(values.inputProperties).sort(), [...offered].sort());
    for (const output of declaredOutputs("encrypted-values.ts", "kms-target-resource.ts")) assert.ok(values.properties[output], output);
  });

  it("EncryptedRandomPassword takes exactly the TypeScript SDK's inputs and has every output the class declares", () => {
    const password = resources["alicloud-kms:index:EncryptedRandomPassword"]!;
    const source = readFileSync(join(root, "sdk/encrypted-random-password.ts"), "utf8");
    const args = source.slice(source.indexOf("export interface EncryptedRandomPasswordArgs"), source.indexOf("\n}\n"));
    const inputs = [...args.matchAll(/^ {2}(\w+)\??: pulumi\.Input/gm)].map((m) => m[1]!);
    assert.ok(inputs.includes("length") && inputs.includes("keepers"));
    assert.deepEqual(Object.keys(password.inputProperties).sort(), inputs.sort());
    for (const output of declaredOutputs("encrypted-random-password.ts", "kms-target-resource.ts")) assert.ok(password.properties[output], output);
  });

  it("documents every property and config key, and marks the plaintexts and credentials secret", () => {
    const s = schema(version) as { config: { variables: Record<string, { description?: string; secret?: boolean }> } };
    assert.deepEqual(Object.keys(s.config.variables).sort(), [...CONFIG_KEYS].sort());
    for (const [name, r] of Object.entries(resources)) {
      for (const [p, spec] of [...Object.entries(r.inputProperties), ...Object.entries(r.properties)]) {
        assert.ok((spec.description ?? "").length > 20, `${name}.${p} is documented`);
      }
    }
    for (const key of ["secretKey", "securityToken", "integrityKey"]) assert.equal(s.config.variables[key]!.secret, true, key);
  });
});
