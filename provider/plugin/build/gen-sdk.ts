import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { builtGoProgram } from "../../../test/support/go-build";
import { schemaText } from "../schema";

// `npm run plugin:sdk` writes the plugin's schema (provider/plugin/schema.json) and generates its
// SDKs from it with Pulumi's own generators (gen-sdk/, a small Go program built once from the module
// proxy and cached): sdk/python (package pulumi_alicloud_kms) and sdk/go/alicloudkms. Both are
// committed; test/plugin/generated-sdks.test.ts fails when they differ from what this writes.

const root = resolve(__dirname, "../../..");
export const SCHEMA_FILE = join(root, "provider/plugin/schema.json");

export function version(): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/** Writes the schema and the SDKs under `out` (sdk/ by default): out/python, out/go. */
export async function generateSdks(out = join(root, "sdk"), schemaFile = SCHEMA_FILE): Promise<void> {
  writeFileSync(schemaFile, `${schemaText(version())}\n`);
  const generator = await builtGoProgram(join(__dirname, "gen-sdk"), "gen-sdk", "plugin-gen-sdk");
  execFileSync(generator, [schemaFile, out], { stdio: ["ignore", "inherit", "inherit"] });
}

/** The SDKs and schema as this tree would generate them, in a temporary folder (for the check). */
export async function generateAside(): Promise<{ dir: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "kms-gen-sdk-"));
  await generateSdks(dir, join(dir, "schema.json"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

if (require.main === module) {
  generateSdks().then(
    () => console.log("wrote provider/plugin/schema.json, sdk/python, sdk/go"),
    (e: Error) => {
      console.error(`plugin:sdk: ${e.message}`);
      process.exit(1);
    },
  );
}
