import type { KmsServices } from "../kms/kms-services";
import type { CheckFailure, RecipientInputs, SharedInputs } from "./inputs";
import { type ResolvedTarget, resolveTarget, type SizedPlaintext } from "./resolve-target";
import type { AnyEnvelope } from "../crypto/any-envelope";
import {
  encryptForRecipients, encryptForSdkMessage, type EncryptionTarget, encryptValue, RecipientEncryptionError,
} from "../crypto/encrypt-value";
import { canonicalContext, type EncryptionContext } from "../kms/encryption-context";
import { type StoredRecipient, type StoredTarget, targetFields } from "./target-state";
import { isUnknown, UNKNOWN, type Unknown } from "./wire-values";
import type { ValueScope } from "../crypto/value-scope";

// Check's half for `recipients`, shared by EncryptedValue and EncryptedValues: every recipient
// after the first resolved in its own region, as the first was (each previews with its DryRun),
// and the list the `recipients` input and output hold.

type Props = Record<string, unknown>;

/** A failure about recipient `i`: its property named by position (recipients[1].keyId). */
export function inRecipient(i: number): (f: CheckFailure) => CheckFailure {
  return (f) => ({ ...f, property: f.property && `recipients[${i}].${f.property}` });
}

/**
 * Every recipient as resolved ([] without recipients; UNKNOWN while the list is), or the failures
 * naming each bad one by position. `first` is the first recipient, already resolved.
 */
export async function resolveRecipients(
  inputs: SharedInputs,
  first: ResolvedTarget,
  options: { encryptLocally: boolean; plaintexts: readonly SizedPlaintext[] },
  services: KmsServices,
): Promise<{ recipients: Props[] | Unknown } | { failures: CheckFailure[] }> {
  const more = inputs.moreRecipients;
  if (isUnknown(more)) return { recipients: UNKNOWN };
  if (more === undefined) {
    const failures = sdkMessageFailures(inputs, [first]);
    return failures.length > 0 ? { failures } : { recipients: [] };
  }
  const resolveOne = (r: RecipientInputs) =>
    resolveTarget({ ...r, encryptLocally: options.encryptLocally, envelope: true, plaintexts: options.plaintexts }, services);
  const results = await Promise.all(more.map(resolveOne));
  const failures = results.flatMap((r, i) => (r.target ? [] : r.failures.map(inRecipient(i + 1))));
  if (failures.length > 0) return { failures };
  const sdkFailures = sdkMessageFailures(inputs, [first, ...results.map((r) => r.target!)], more);
  if (sdkFailures.length > 0) return { failures: sdkFailures };
  const recipients = [
    targetFields(inputs.target, first, inputs.encryptionContext),
    ...results.map((r, i) => targetFields(more[i]!.target, r.target!, more[i]!.encryptionContext)),
  ];
  const seen = new Map<string, number>();
  for (const [i, r] of recipients.entries()) {
    const identity = `${String(r.keyId)}|${String(r.certificateId)}|${String(r.region)}`;
    const earlier = seen.get(identity);
    if (!isUnknown(r.keyId) && !isUnknown(r.certificateId) && earlier !== undefined) {
      return { failures: [{ property: `recipients[${i}]`, reason: `recipients[${i}] is the same key or certificate as recipients[${earlier}]; list each once` }] };
    }
    seen.set(identity, i);
  }
  return { recipients };
}

/**
 * What Alibaba's Encryption SDK message cannot carry: a recipient that is not a symmetric key (it
 * knows no others), or recipients with different contexts (one context binds the whole message).
 */
function sdkMessageFailures(
  inputs: SharedInputs, targets: readonly ResolvedTarget[], more: readonly RecipientInputs[] = [],
): CheckFailure[] {
  if (inputs.envelopeFormat !== "encryption-sdk") return [];
  const several = more.length > 0;
  const failures: CheckFailure[] = [];
  targets.forEach((t, i) => {
    if (isUnknown(t.algorithm) || t.algorithm === "SYMMETRIC_DEFAULT") return;
    const property = several ? `recipients[${i}].${t.kind === "key" ? "keyId" : "certificateId"}` : t.kind === "key" ? "keyId" : "certificateId";
    failures.push({ property, reason: `${property} is ${t.kind === "key" ? `a ${String(t.keySpec)} key` : "a certificate"}: ` +
      "envelopeFormat \"encryption-sdk\" carries symmetric keys only (Aliyun_AES_256, Aliyun_SM4), as Alibaba's Encryption SDK does; " +
      "use the native format (remove envelopeFormat) for asymmetric keys and certificates" });
  });
  const contexts = [inputs.encryptionContext, ...more.map((r) => r.encryptionContext)];
  if (!contexts.some(isUnknown)) {
    const spelling = (c: unknown) => (c === undefined ? "{}" : canonicalContext(c as EncryptionContext));
    if (new Set(contexts.map(spelling)).size > 1) {
      failures.push({ property: "recipients", reason: "envelopeFormat \"encryption-sdk\" binds one encryption context to the whole message; " +
        "give every recipient the same encryptionContext" });
    }
  }
  return failures;
}

/**
 * Who a failed encryption is about: the recipient whose wrapping failed (recipients[i].keyId), or
 * the value's own target. `cause` is the failure itself, for the message.
 */
export function encryptionBlame(e: unknown, t: StoredTarget, more: readonly StoredRecipient[]) {
  const cause = e instanceof RecipientEncryptionError ? e.cause : e;
  if (e instanceof RecipientEncryptionError && e.index > 0) {
    const r = more[e.index - 1]!;
    const { certificateId, keyId } = r.encryptionTarget;
    return certificateId !== undefined
      ? { cause, property: `recipients[${e.index}].certificateId`, value: certificateId, region: r.region }
      : { cause, property: `recipients[${e.index}].keyId`, value: keyId, region: r.region };
  }
  return { cause, property: t.blame.property, value: t.blame.value, region: t.region, kmsInstanceId: t.kmsInstanceId };
}

/**
 * One plaintext under a stored target: an envelope of one key or certificate, or with further
 * recipients one of several. `ciphertextBlob` is KMS's ciphertext (of the value, or of the data key:
 * the first recipient's with several); the caller formats the envelope if it keeps it.
 */
export async function encryptForStored(
  services: KmsServices, t: StoredTarget, more: readonly StoredRecipient[], plaintext: Buffer, scope?: ValueScope,
): Promise<{ ciphertextBlob: string; envelope: AnyEnvelope }> {
  const first = { target: t.encryptionTarget, algorithm: t.algorithm, region: t.region };
  const targets = [first, ...more.map((r) => ({ target: r.encryptionTarget, algorithm: r.algorithm, region: r.region }))];
  if (t.envelopeFormat === "encryption-sdk") {
    // The message names each CMK by its ARN, as DescribeKey gives it.
    const arnOf = async (x: EncryptionTarget) => (await services.in(x.region, false).describeKey(x.target.keyId ?? "")).arn;
    const kmsFor = (x: EncryptionTarget) => services.in(x.region, false);
    const envelope = await encryptForSdkMessage(kmsFor, arnOf, targets, t.encryptionTarget.encryptionContext, plaintext);
    return { ciphertextBlob: envelope.recipients[0]!.encryptedDataKey, envelope };
  }
  if (more.length === 0) return encryptValue(services.in(t.region, t.encryptLocally), first, plaintext, t.envelope, scope);
  const envelope = await encryptForRecipients((x) => services.in(x.region, t.encryptLocally), targets, plaintext, scope);
  return { ciphertextBlob: envelope.recipients[0]!.encryptedDataKey, envelope };
}
