import type { KmsServices } from "../kms/kms-services";
import type { CheckFailure, RecipientInputs, SharedInputs } from "./inputs";
import { type ResolvedTarget, resolveTarget, type SizedPlaintext } from "./resolve-target";
import type { AnyEnvelope } from "../crypto/any-envelope";
import { encryptForRecipients, encryptValue, RecipientEncryptionError } from "../crypto/encrypt-value";
import { type StoredRecipient, type StoredTarget, targetFields } from "./target-state";
import { isUnknown, UNKNOWN, type Unknown } from "./wire-values";

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
  if (more === undefined) return { recipients: [] };
  const resolveOne = (r: RecipientInputs) =>
    resolveTarget({ ...r, encryptLocally: options.encryptLocally, envelope: true, plaintexts: options.plaintexts }, services);
  const results = await Promise.all(more.map(resolveOne));
  const failures = results.flatMap((r, i) => (r.target ? [] : r.failures.map(inRecipient(i + 1))));
  if (failures.length > 0) return { failures };
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
  services: KmsServices, t: StoredTarget, more: readonly StoredRecipient[], plaintext: Buffer,
): Promise<{ ciphertextBlob: string; envelope: AnyEnvelope }> {
  const first = { target: t.encryptionTarget, algorithm: t.algorithm, region: t.region };
  if (more.length === 0) return encryptValue(services.in(t.region, t.encryptLocally), first, plaintext, t.envelope);
  const targets = [first, ...more.map((r) => ({ target: r.encryptionTarget, algorithm: r.algorithm, region: r.region }))];
  const envelope = await encryptForRecipients((x) => services.in(x.region, t.encryptLocally), targets, plaintext);
  return { ciphertextBlob: envelope.recipients[0]!.encryptedDataKey, envelope };
}
