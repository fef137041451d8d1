import {
  type Algorithm, credentialValues, describeKmsError, encryptForRecipients, encryptForSdkMessage, type EncryptionTarget,
  encryptValue, formatAnyEnvelope, formatEnvelope, printable,
  formatRecipientsEnvelope, isAlgorithm, isSymmetric, KmsCallError, KmsServices, MAX_RECIPIENTS, ownMessage,
  RecipientEncryptionError, redact, type ResolvedTarget, resolveSettings, resolveTarget, type TargetInputs,
} from "../../provider/toolkit";
import { CliError } from "./cli-error";
import { checkTargetFlags, CLI_SETTING_NAMES, inFlags, type TargetFlags } from "./cli-words";

// `encrypt`: the provider's own path for one value (check's validation against KMS, then the
// encryption), with the result written as an envelope.

export interface EncryptOptions extends TargetFlags {
  envelope: boolean;
  local: boolean;
  /** --key-id / --certificate-id given more than once: each a recipient of one envelope, in order. */
  recipients?: { keyId?: string; certificateId?: string }[];
  /** --format: "native" (default) or "encryption-sdk" (Alibaba's Encryption SDK message; symmetric keys). */
  format?: string;
}

/**
 * KMS as the CLI reaches it (--region is the region a stack would set as alicloud-kms:region; a key
 * ARN's own region wins), and its failures in the operator's words, scrubbed of the plaintext and
 * credentials.
 */
function cliServices(o: EncryptOptions, env: NodeJS.ProcessEnv, plaintext: Buffer) {
  const settings = resolveSettings((key) => (key === "alicloud-kms:region" ? o.region : undefined), env);
  const sensitive = [...credentialValues(settings), plaintext];
  const services = new KmsServices(settings, CLI_SETTING_NAMES);
  const problem = services.settingsProblem();
  if (problem) throw new CliError(problem, 1);
  return { services, fail: (message: string) => new CliError(inFlags(redact(message, sensitive)), 1) };
}

export async function encryptCommand(o: EncryptOptions, plaintext: Buffer, env: NodeJS.ProcessEnv): Promise<string> {
  if (o.format !== undefined && o.format !== "native" && o.format !== "encryption-sdk") {
    throw new CliError(`--format ${printable(o.format)} is not native or encryption-sdk`, 2);
  }
  const sdkFormat = o.format === "encryption-sdk";
  if (o.recipients || sdkFormat) {
    const { keyId, certificateId } = o;
    const one = keyId !== undefined ? [{ keyId }] : certificateId !== undefined ? [{ certificateId }] : undefined;
    const recipients = o.recipients ?? one;
    if (!recipients) throw new CliError("give --key-id (a symmetric key's; more than once for several)", 2);
    return encryptForSeveral(o, recipients, plaintext, env);
  }
  if ((o.keyId === undefined) === (o.certificateId === undefined)) throw new CliError("give exactly one of --key-id and --certificate-id", 2);
  if (o.certificateId !== undefined && o.keyVersionId !== undefined) throw new CliError("--key-version-id applies to keys only; drop it with --certificate-id", 2);
  checkTargetFlags(o);
  if (plaintext.length === 0) throw new CliError("the input is empty; KMS encrypts 1 byte or more", 1);

  const { services, fail } = cliServices(o, env, plaintext);
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

  let resolved;
  try {
    resolved = await resolveTarget(inputs, services);
  } catch (e) {
    throw fail(ownMessage(e));
  }
  const t = resolved.target;
  if (!t) throw fail(resolved.failures.map((f) => f.reason).join("\n"));
  const target = encryptionTargetOf(t, o.encryptionContext);
  const { region } = target;
  try {
    const c = await encryptValue(services.in(region, o.local), target, plaintext, o.envelope);
    return formatEnvelope(c.envelope);
  } catch (e) {
    const property = t.kind === "certificate" ? "certificateId" : "keyId";
    throw fail(e instanceof KmsCallError
      ? describeKmsError(e, services.errorContext(property, (o.certificateId ?? o.keyId) as string, region))
      : ownMessage(e));
  }
}

/** A resolved target as encryption takes it. Everything is known here: no preview unknowns in a CLI. */
function encryptionTargetOf(t: ResolvedTarget, encryptionContext: Record<string, string> | undefined): EncryptionTarget {
  const context = encryptionContext ? { encryptionContext } : {};
  return {
    target: t.kind === "certificate" ? { certificateId: t.id as string } : { keyId: t.id as string, keyVersionId: t.keyVersionId as string, ...context },
    algorithm: t.algorithm as Algorithm,
    region: t.region as string,
  };
}

/**
 * Several recipients (envelope format v3): each resolved in its own region (a key ARN's, else
 * --region) and checked like a preview, then one data key wrapped by every one. The encryption
 * context binds the symmetric recipients; asymmetric ones and certificates take none.
 */
async function encryptForSeveral(
  o: EncryptOptions, recipients: NonNullable<EncryptOptions["recipients"]>, plaintext: Buffer, env: NodeJS.ProcessEnv,
): Promise<string> {
  const sdkFormat = o.format === "encryption-sdk";
  if (!o.envelope && !sdkFormat) throw new CliError("several --key-id / --certificate-id share one data key: add --envelope", 2);
  if (o.keyVersionId !== undefined || o.algorithm !== undefined) {
    throw new CliError("with several recipients each uses its key's primary version and default algorithm; " +
      "drop --key-version-id and --algorithm (or give one --key-id to choose them)", 2);
  }
  for (const r of recipients) checkTargetFlags(r);
  if (recipients.length > MAX_RECIPIENTS) throw new CliError(`at most ${MAX_RECIPIENTS} recipients`, 2);
  if (plaintext.length === 0) throw new CliError("the input is empty; KMS encrypts 1 byte or more", 1);
  const { services, fail } = cliServices(o, env, plaintext);
  const plaintexts = [{ property: "plaintext", plaintext }];
  const resolved = await Promise.all(recipients.map((r) => resolveTarget({
    plaintexts,
    target: r.certificateId !== undefined ? { kind: "certificate", certificateId: r.certificateId } : { kind: "key", keyId: r.keyId as string },
    encryptLocally: o.local,
    envelope: true,
  }, services).catch((e: unknown) => ({ target: undefined, failures: [{ property: "", reason: ownMessage(e) }] }))));
  const failures = resolved.flatMap((r, i) => (r.target ? [] : r.failures.map((f) => `recipient ${i + 1}: ${f.reason}`)));
  if (failures.length > 0) throw fail(failures.join("\n"));
  const targets = resolved.map(({ target: t }) =>
    encryptionTargetOf(t!, o.encryptionContext && isSymmetric(t!.algorithm as Algorithm) ? o.encryptionContext : undefined));
  if (o.encryptionContext && !targets.some((t) => isSymmetric(t.algorithm))) {
    throw new CliError("--encryption-context binds symmetric keys (Aliyun_AES_256, Aliyun_SM4), and no recipient is one; drop it", 2);
  }
  const notSymmetric = targets.findIndex((t) => !isSymmetric(t.algorithm));
  if (sdkFormat && notSymmetric >= 0) {
    throw new CliError(`--format encryption-sdk carries symmetric keys only, as Alibaba's Encryption SDK does; recipient ${notSymmetric + 1} is not one`, 2);
  }
  try {
    if (sdkFormat) {
      const kmsFor = (t: EncryptionTarget) => services.in(t.region, false);
      const arnOf = async (t: EncryptionTarget) => (await kmsFor(t).describeKey(t.target.keyId ?? "")).arn;
      return formatAnyEnvelope(await encryptForSdkMessage(kmsFor, arnOf, targets, o.encryptionContext, plaintext));
    }
    return formatRecipientsEnvelope(await encryptForRecipients((t) => services.in(t.region, o.local), targets, plaintext));
  } catch (e) {
    const index = e instanceof RecipientEncryptionError ? e.index : 0;
    const cause = e instanceof RecipientEncryptionError ? e.cause : e;
    const r = recipients[index]!;
    const property = r.certificateId !== undefined ? "certificateId" : "keyId";
    throw fail(`recipient ${index + 1}: ${cause instanceof KmsCallError
      ? describeKmsError(cause, services.errorContext(property, (r.certificateId ?? r.keyId) as string, targets[index]!.region))
      : ownMessage(cause)}`);
  }
}
