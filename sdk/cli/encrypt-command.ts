import {
  type Algorithm, credentialValues, describeKmsError, encryptValue, formatEnvelope, isAlgorithm, KmsCallError,
  KmsServices, ownMessage, redact, resolveSettings, resolveTarget, type TargetInputs,
} from "../../provider/toolkit";
import { CliError } from "./cli-error";
import { checkTargetFlags, CLI_SETTING_NAMES, inFlags, type TargetFlags } from "./cli-words";

// `encrypt`: the provider's own path for one value (check's validation against KMS, then the
// encryption), with the result written as an envelope.

export interface EncryptOptions extends TargetFlags {
  envelope: boolean;
  local: boolean;
}

export async function encryptCommand(o: EncryptOptions, plaintext: Buffer, env: NodeJS.ProcessEnv): Promise<string> {
  if ((o.keyId === undefined) === (o.certificateId === undefined)) throw new CliError("give exactly one of --key-id and --certificate-id", 2);
  if (o.certificateId !== undefined && o.keyVersionId !== undefined) throw new CliError("--key-version-id applies to keys only; drop it with --certificate-id", 2);
  checkTargetFlags(o);
  if (plaintext.length === 0) throw new CliError("the input is empty; KMS encrypts 1 byte or more", 1);

  // --region is the region a stack would set as alicloud-kms:region; a key ARN's own region wins.
  const settings = resolveSettings((key) => (key === "alicloud-kms:region" ? o.region : undefined), env);
  const sensitive = [...credentialValues(settings), plaintext];
  const services = new KmsServices(settings, CLI_SETTING_NAMES);
  const problem = services.settingsProblem();
  if (problem) throw new CliError(problem, 1);
  const inputs: TargetInputs = {
    plaintexts: [{ property: "plaintext", plaintext }],
    target: o.certificateId !== undefined
      ? { kind: "certificate", certificateId: o.certificateId }
      : { kind: "key", keyId: o.keyId as string, ...(o.keyVersionId !== undefined ? { keyVersionId: o.keyVersionId } : {}) },
    ...(o.algorithm !== undefined && isAlgorithm(o.algorithm) ? { algorithm: o.algorithm } : {}),
    encryptLocally: o.local,
    envelope: o.envelope,
    ...(o.encryptionContext ? { encryptionContext: o.encryptionContext } : {}),
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
  const context = o.encryptionContext ? { encryptionContext: o.encryptionContext } : {};
  const target = t.kind === "certificate"
    ? { certificateId: t.id as string }
    : { keyId: t.id as string, keyVersionId: t.keyVersionId as string, ...context };
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
