import { type Algorithm, beginsLikeEnvelopeJson, beginsLikeSdkMessage, describeRecipient, printable, readEnvelope, STRICT_BASE64 } from "../../provider/toolkit";
import { type DecryptInput, DecryptError, type DecryptOptions, openValue } from "../open-value";
import { CliError } from "./cli-error";
import { checkTargetFlags, CLI_SETTING_NAMES, inFlags, type TargetFlags } from "./cli-words";

// `decrypt`: an envelope names its own key, version, algorithm and region; a bare ciphertext (the
// ciphertextBlob of a value without envelope: true) has them beside it as the value's outputs,
// which the operator passes as the flags encrypt takes.

export interface DecryptCommandOptions extends TargetFlags {
  allowedRegions?: string[];
  allowedKeys?: string[];
  /** --plaintext-encoding: what a bare symmetric ciphertext's Decrypt returns (default text). */
  plaintextEncoding?: string;
  /** --expect-scope: the resource name the input must have been written for; --expect-entry: its entry. */
  expectScope?: string;
  expectEntry?: string;
}

/** decrypt()'s expectScope from the flags; wrong usage (exit 2) for an entry without its value. */
function expectedScope(o: DecryptCommandOptions): DecryptOptions["expectScope"] {
  if (o.expectEntry !== undefined && o.expectScope === undefined) {
    throw new CliError("--expect-entry needs --expect-scope: the EncryptedValues resource's name, then the entry's", 2);
  }
  if (o.expectScope === undefined) return undefined;
  return o.expectEntry === undefined ? { value: o.expectScope } : { value: o.expectScope, entry: o.expectEntry };
}

const TARGET_FLAGS = [["keyId", "--key-id"], ["keyVersionId", "--key-version-id"], ["certificateId", "--certificate-id"],
  ["algorithm", "--algorithm"], ["region", "--region"], ["encryptionContext", "--encryption-context"]] as const;

const BARE_USAGE = "a bare ciphertext needs --key-id with --key-version-id (or --certificate-id), and --algorithm: " +
  "the value's keyId, keyVersionId (or certificateId) and algorithm outputs; --region gives its region output " +
  "(a symmetric key's: --key-id, --algorithm SYMMETRIC_DEFAULT and --encryption-context, no version)";

function isEnvelope(text: string): boolean {
  try {
    readEnvelope(text);
    return true;
  } catch {
    return false;
  }
}

/** Base64 of bytes that are not JSON: a bare ciphertext passed as if it were an envelope. */
function looksBare(text: string): boolean {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || !STRICT_BASE64.test(compact)) return false;
  const bytes = Buffer.from(compact, "base64");
  // An Encryption SDK message or our JSON, even cut short, is an envelope: its own error says what is wrong.
  return !beginsLikeSdkMessage(bytes) && !beginsLikeEnvelopeJson(bytes);
}

/** What to decrypt: the input as an envelope, or with the flags, as a bare ciphertext. */
function inputFrom(o: DecryptCommandOptions, text: string): DecryptInput {
  const given = TARGET_FLAGS.filter(([field]) => o[field] !== undefined);
  const encoding = o.plaintextEncoding;
  if (encoding !== undefined) {
    if (encoding !== "text" && encoding !== "base64") throw new CliError(`--plaintext-encoding ${printable(encoding)} is not text or base64`, 2);
    if (o.algorithm !== "SYMMETRIC_DEFAULT") {
      throw new CliError("--plaintext-encoding applies to a bare symmetric ciphertext (--algorithm SYMMETRIC_DEFAULT); an envelope says its own", 2);
    }
  }
  if (given.length === 0) return text;
  checkTargetFlags(o);
  if (isEnvelope(text)) {
    throw new CliError(`the input is an envelope, which names its own key, version, algorithm and region; drop ${given.map(([, flag]) => flag).join(", ")}`, 2);
  }
  if ((o.keyId === undefined) === (o.certificateId === undefined)) throw new CliError(BARE_USAGE, 2);
  if (o.certificateId !== undefined && o.keyVersionId !== undefined) throw new CliError("--key-version-id applies to keys only; drop it with --certificate-id", 2);
  if (o.keyId !== undefined && o.keyVersionId === undefined && o.algorithm !== "SYMMETRIC_DEFAULT") {
    throw new CliError("--key-id needs --key-version-id: the version the value was encrypted with (its keyVersionId output)", 2);
  }
  if (o.algorithm === undefined) throw new CliError("--algorithm is needed for a bare ciphertext: the one it was encrypted with (the value's algorithm output)", 2);
  const ciphertextBlob = text.replace(/\s+/g, "");
  const algorithm = o.algorithm as Algorithm;
  const region = o.region !== undefined ? { region: o.region } : {};
  return o.certificateId !== undefined
    ? { ciphertextBlob, certificateId: o.certificateId, algorithm, ...region }
    : {
        ciphertextBlob, keyId: o.keyId as string, algorithm, ...region,
        ...(o.keyVersionId !== undefined ? { keyVersionId: o.keyVersionId } : {}),
        ...(o.encryptionContext ? { encryptionContext: o.encryptionContext } : {}),
        ...(encoding !== undefined ? { plaintextEncoding: encoding } : {}),
      };
}

/** `report`: where the CLI says which recipient opened an envelope of several (stderr). */
export async function decryptCommand(
  o: DecryptCommandOptions, input: Buffer, env: NodeJS.ProcessEnv, report: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Buffer> {
  const text = input.toString("utf8");
  const value = inputFrom(o, text);
  const expectScope = expectedScope(o);
  const options: DecryptOptions = {
    env,
    onOpened: (opened) => report(`pulumi-alicloud-kms-encrypted: opened with ${describeRecipient(opened)}` +
      (opened.failed.length ? ` (tried first: ${opened.failed.map((f) => `${describeRecipient(f)}: ${inFlags(f.reason)}`).join("; ")})` : "")),
    ...(o.allowedRegions ? { allowedRegions: o.allowedRegions } : {}),
    ...(o.allowedKeys ? { allowedKeys: o.allowedKeys } : {}),
    ...(expectScope ? { expectScope } : {}),
  };
  try {
    return await openValue(value, options, CLI_SETTING_NAMES);
  } catch (e) {
    if (!(e instanceof DecryptError)) throw e;
    if (typeof value === "string" && e.code === "EnvelopeFormat" && looksBare(text)) {
      throw new CliError(`the input is not an envelope; ${BARE_USAGE}`, 1);
    }
    throw new CliError(typeof value === "string" ? e.message : inFlags(e.message), 1);
  }
}
