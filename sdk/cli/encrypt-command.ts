import {
  type Algorithm, credentialValues, describeKmsError, encryptValue, formatEnvelope, isAlgorithm, isResourceId, KmsCallError,
  KmsServices, ownMessage, parseKeyReference, printable, redact, resolveSettings, resolveTarget, type TargetInputs,
} from "../../provider/toolkit";
import { CliError } from "./cli-error";

// `encrypt`: the provider's own path for one value (check's validation against KMS, then the
// encryption), with the result written as an envelope.

export interface EncryptOptions {
  keyId?: string;
  keyVersionId?: string;
  certificateId?: string;
  algorithm?: string;
  envelope: boolean;
  local: boolean;
}

// The provider's messages name its inputs; here the user typed flags.
const FLAG_WORDS: [RegExp, string][] = [
  [/\bkeyVersionId\b/g, "--key-version-id"],
  [/\bkeyId\b/g, "--key-id"],
  [/\bcertificateId\b/g, "--certificate-id"],
  [/^algorithm\b/g, "--algorithm"],
  [/^plaintext\b/g, "the input"],
  [/set envelope: true/gi, "add --envelope"],
  [/\(encryptLocally: false\)|set encryptLocally: false/g, "(drop --local)"],
];

function inFlags(message: string): string {
  return FLAG_WORDS.reduce((m, [word, flag]) => m.replace(word, flag), message);
}

export async function encryptCommand(o: EncryptOptions, plaintext: Buffer, env: NodeJS.ProcessEnv): Promise<string> {
  if ((o.keyId === undefined) === (o.certificateId === undefined)) throw new CliError("give exactly one of --key-id and --certificate-id", 2);
  if (o.certificateId !== undefined && o.keyVersionId !== undefined) throw new CliError("--key-version-id applies to keys only; drop it with --certificate-id", 2);
  if (o.algorithm !== undefined && !isAlgorithm(o.algorithm)) {
    throw new CliError(`--algorithm ${printable(o.algorithm)} is not RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1 or SM2PKE`, 2);
  }
  const shapes: [string, string | undefined, (v: string) => string | undefined][] = [
    ["--key-id", o.keyId, (v) => {
      const reference = parseKeyReference(v);
      return typeof reference === "string" ? reference : undefined;
    }],
    ["--key-version-id", o.keyVersionId, (v) => (isResourceId(v) ? undefined : "is not a key version ID")],
    ["--certificate-id", o.certificateId, (v) => (isResourceId(v) ? undefined : "is not a certificate ID")],
  ];
  for (const [flag, value, problem] of shapes) {
    const wrong = value === undefined ? undefined : problem(value);
    if (wrong) throw new CliError(`${flag} ${printable(value)} ${wrong}`, 2);
  }
  if (plaintext.length === 0) throw new CliError("the input is empty; KMS encrypts 1 byte or more", 1);

  const settings = resolveSettings(() => undefined, env);
  const sensitive = [...credentialValues(settings), plaintext];
  const problem = settings.problems[0];
  if (problem) throw new CliError(`${problem.setting}: ${problem.reason}`, 1);
  const services = new KmsServices(settings);
  const inputs: TargetInputs = {
    plaintext,
    plaintextProperty: "plaintext",
    target: o.certificateId !== undefined
      ? { kind: "certificate", certificateId: o.certificateId }
      : { kind: "key", keyId: o.keyId as string, ...(o.keyVersionId !== undefined ? { keyVersionId: o.keyVersionId } : {}) },
    ...(o.algorithm !== undefined && isAlgorithm(o.algorithm) ? { algorithm: o.algorithm } : {}),
    encryptLocally: o.local,
    envelope: o.envelope,
  };
  const fail = (message: string) => new CliError(inFlags(redact(message, sensitive)), 1);

  let resolved;
  try {
    resolved = await resolveTarget(inputs, services);
  } catch (e) {
    throw fail(ownMessage(e));
  }
  const t = resolved.target;
  if (!t) throw fail(resolved.failures.map((f) => f.reason).join("\n"));
  // Everything is known here: no preview unknowns in a CLI.
  const region = t.region as string;
  const algorithm = t.algorithm as Algorithm;
  const target = t.kind === "certificate" ? { certificateId: t.id as string } : { keyId: t.id as string, keyVersionId: t.keyVersionId as string };
  try {
    const c = await encryptValue(services.in(region, o.local), { target, algorithm, region }, plaintext, o.envelope);
    return formatEnvelope(c.envelope);
  } catch (e) {
    const property = t.kind === "certificate" ? "certificateId" : "keyId";
    throw fail(e instanceof KmsCallError
      ? describeKmsError(e, services.errorContext(property, (o.certificateId ?? o.keyId) as string, region))
      : ownMessage(e));
  }
}
