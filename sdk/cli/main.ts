#!/usr/bin/env node
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ownMessage, printable } from "../../provider/toolkit";
import { CliError } from "./cli-error";
import { contextFlags } from "./cli-words";
import { decryptCommand } from "./decrypt-command";
import { encryptCommand } from "./encrypt-command";
import { readInput, writeOutput } from "./io";
import { USAGE } from "./usage";

// The package's bin: `pulumi-alicloud-kms-encrypted encrypt|decrypt …` for operators. See usage.ts.

const OPTIONS = {
  "key-id": { type: "string", multiple: true },
  "key-version-id": { type: "string" },
  "certificate-id": { type: "string", multiple: true },
  algorithm: { type: "string" },
  region: { type: "string" },
  "encryption-context": { type: "string", multiple: true },
  envelope: { type: "boolean", default: false },
  local: { type: "boolean", default: false },
  in: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean", default: false },
  "allow-region": { type: "string", multiple: true },
  "allow-key": { type: "string", multiple: true },
  "plaintext-encoding": { type: "string" },
  "expect-scope": { type: "string" },
  "expect-entry": { type: "string" },
  format: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
  version: { type: "boolean", default: false },
} as const;

const ENCRYPT_ONLY = ["envelope", "local", "format"] as const;
const DECRYPT_ONLY = ["allow-region", "allow-key", "plaintext-encoding", "expect-scope", "expect-entry"] as const;

/** What is wrong with the arguments parseArgs refused, in our words (node:util's are its own). */
/** The version a bundle was built as (plugin:package defines it), else the package.json above this file's. */
declare const PLUGIN_VERSION: string | undefined;
function cliVersion(): string {
  if (typeof PLUGIN_VERSION === "string") return PLUGIN_VERSION;
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "pulumi-alicloud-kms-encrypted" && manifest.version) return manifest.version;
    } catch {
      // not here: one folder up
    }
  }
  return "(unknown version)";
}

function usageProblem(argv: string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") continue;
    const [flag, inline] = arg.startsWith("--") ? [arg.slice(2).split("=")[0]!, arg.includes("=")] : [arg.slice(1), false];
    const option = Object.entries(OPTIONS).find(([name, o]) => name === flag || ("short" in o && o.short === flag));
    if (!option) return `unknown option ${printable(arg.split("=")[0])}`;
    const [name, o] = option;
    if (o.type === "boolean" && inline) return `--${name} takes no value`;
    if (o.type === "string" && !inline && (argv[i + 1] === undefined || argv[i + 1]!.startsWith("--"))) return `--${name} needs a value`;
    if (o.type === "string" && !inline) i++;
  }
  return "the arguments could not be read";
}

async function run(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch {
    throw new CliError(`${usageProblem(argv)}; see --help`, 2);
  }
  const { values, positionals, tokens } = parsed;
  // --key-id and --certificate-id in the order given: with more than one, each is a recipient.
  const recipients = tokens.flatMap((t) => (t.kind === "option" && (t.name === "key-id" || t.name === "certificate-id") && t.value !== undefined
    ? [t.name === "key-id" ? { keyId: t.value } : { certificateId: t.value }] : []));
  const [command, ...rest] = positionals;
  if (values.help || command === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (values.version) {
    process.stdout.write(`pulumi-alicloud-kms-encrypted ${cliVersion()}\n`);
    return;
  }
  if (command !== "encrypt" && command !== "decrypt") {
    throw new CliError(command === undefined ? "no command; use encrypt or decrypt (see --help)" : `unknown command ${printable(command)}; use encrypt or decrypt`, 2);
  }
  // Never echoed: a secret typed in the wrong place would land in the terminal's and CI's logs.
  if (rest.length > 0) throw new CliError("unexpected argument #1 (after the command); the input comes from --in or stdin", 2);

  const encryptionContext = contextFlags(values["encryption-context"]);
  if (recipients.length > 1 && command !== "encrypt") {
    throw new CliError("decrypt takes one --key-id or --certificate-id (a bare ciphertext's); an envelope names its recipients", 2);
  }
  const single = recipients.length === 1 ? recipients[0]! : {};
  const target = {
    ...(encryptionContext ? { encryptionContext } : {}),
    ...single,
    ...(values["key-version-id"] !== undefined ? { keyVersionId: values["key-version-id"] } : {}),
    ...(values.algorithm !== undefined ? { algorithm: values.algorithm } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
  };
  if (command === "encrypt") {
    const decryptOnly = DECRYPT_ONLY.find((flag) => values[flag] !== undefined);
    if (decryptOnly) throw new CliError(`--${decryptOnly} applies to decrypt; encrypt names its key with --key-id or --certificate-id`, 2);
    const plaintext = await readInput(values.in);
    try {
      const several = recipients.length > 1 ? { recipients } : {};
      const format = values.format !== undefined ? { format: values.format } : {};
      const options = { ...target, envelope: values.envelope, local: values.local, ...several, ...format };
      const envelope = await encryptCommand(options, plaintext, process.env);
      await writeOutput(values.out, Buffer.from(`${envelope}\n`), values.force);
    } finally {
      plaintext.fill(0);
    }
    return;
  }

  const misplaced = ENCRYPT_ONLY.find((flag) => values[flag]);
  if (misplaced) throw new CliError(`--${misplaced} applies to encrypt; decrypt reads what the input says`, 2);
  const input = await readInput(values.in);
  const plaintext = await decryptCommand({
    ...target,
    ...(values["allow-region"] ? { allowedRegions: values["allow-region"] } : {}),
    ...(values["allow-key"] ? { allowedKeys: values["allow-key"] } : {}),
    ...(values["plaintext-encoding"] !== undefined ? { plaintextEncoding: values["plaintext-encoding"] } : {}),
    ...(values["expect-scope"] !== undefined ? { expectScope: values["expect-scope"] } : {}),
    ...(values["expect-entry"] !== undefined ? { expectEntry: values["expect-entry"] } : {}),
  }, input, process.env);
  try {
    await writeOutput(values.out, plaintext, values.force);
  } finally {
    plaintext.fill(0);
  }
}

/** Whether `e` says the reader of stdout went away (`… | head -c 10`): it has all it wanted. */
function isClosedPipe(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

// A closed pipe surfaces as an 'error' event on stdout as well as through the write: both end the
// run quietly, with success, as any Unix filter would (the reader chose to stop reading).
process.stdout.on("error", (e) => {
  if (isClosedPipe(e)) process.exit(0);
  process.stderr.write("pulumi-alicloud-kms-encrypted: the output could not be written\n");
  process.exit(1);
});

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    if (isClosedPipe(e)) process.exit(0);
    const known = e instanceof CliError;
    const message = known ? e.message : ownMessage(e);
    process.stderr.write(`pulumi-alicloud-kms-encrypted: ${message}\n`);
    process.exit(known ? e.exitCode : 1);
  },
);
