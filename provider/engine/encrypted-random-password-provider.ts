import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isStrictBase64 } from "../base64";
import { type EncryptionContext, isEncryptionContext } from "../kms/encryption-context";
import { hasRecipients, formatAnyEnvelope, readEnvelope } from "../crypto/any-envelope";
import { decryptEnvelope } from "../crypto/decrypt-value";
import type { Envelope } from "../crypto/envelope-format";
import { directOutput } from "../crypto/encrypt-value";
import { keepersDigest, valueIntegrityKey } from "../crypto/integrity-tag";
import { drawPassword } from "../crypto/random-password";
import { isSymmetric } from "../kms/key-spec-limits";
import { KmsCallError } from "../kms/kms-call-error";
import { EncryptedValueProvider } from "./encrypted-value-provider";
import { logInfo } from "./engine-log";
import type { CheckFailure } from "./inputs";
import { checkedIntegrityKey, type StackKeySource, withoutPlaintexts } from "./integrity";
import { characterClasses, parsePolicy, POLICY_PROPERTIES } from "./password-policy";
import { EncryptedValueError } from "./provider-context";
import { type StoredTarget, storedRecipients, storedTarget } from "./target-state";
import { isUnknown, reveal, revealText, secret, UNKNOWN } from "./wire-values";

// The dynamic provider behind EncryptedRandomPassword: a password drawn here, at create, from the
// operating system's CSPRNG (crypto/random-password.ts), encrypted at once as EncryptedValue
// encrypts a plaintext, and dropped. Nothing in state holds it in any form: no input, no digest.
//   check  → the policy (engine/password-policy.ts) and the target as EncryptedValue checks it, in
//            trigger mode: the trigger is a keyed digest of the keepers and the policy, so that a
//            change of either shows as a new revision; a password is drawn for the hand-off
//   diff   → a new revision (keepers or policy changed) replaces the resource: a new password; a
//            moved target (key rotation), a stale or altered state updates it
//   create → encrypts the drawn password
//   update → keeps the password: the stored ciphertext, once its integrity tag holds under the
//            program's key, moves to the new target through ReEncrypt (a symmetric key's direct
//            value: the password never leaves KMS) or, for anything else, decrypted in this
//            process with the deploying identity's decrypt right and encrypted again. A stored
//            ciphertext that fails its tag is never carried over: an error says how to draw a new one
//   read   → staleReason, as for EncryptedValue

type Props = Record<string, unknown>;

/** Inputs the program gives that are this resource's own (EncryptedValue's check never sees them). */
const OWN_INPUTS: readonly string[] = [...POLICY_PROPERTIES, "keepers", "adoptCiphertextBlob", "adoptEncryptionContext"];

/** EncryptedValue's inputs that make no sense for a password drawn here. */
const NOT_FOR_PASSWORDS = ["plaintext", "plaintextBase64", "plaintextDigest", "changeDetection", "trigger"];

/** Inputs of a create that adopts an existing ciphertext instead of drawing a password. */
const ADOPT_INPUTS = ["adoptCiphertextBlob", "adoptEncryptionContext"];

const WAY_OUT = "change a value in keepers to draw a new password (the database then needs it too)";
const SEVERAL = "a password under several recipients or in an Encryption SDK message cannot be carried over to a new key version " +
  `yet: pin keyVersionId (each recipient's) to keep it, or ${WAY_OUT}`;

/** Whether KMS itself can move a value under `t` (ReEncrypt): a symmetric key's direct value, for one key. */
function movesInKms(t: StoredTarget, recipients: unknown): boolean {
  return storedRecipients(recipients).length <= 1 && isSymmetric(t.algorithm) && !t.envelope && t.envelopeFormat === "native" &&
    Boolean(t.encryptionTarget.keyId);
}

function pick(props: Props, names: readonly string[]): Props {
  return Object.fromEntries(names.filter((n) => props[n] !== undefined).map((n) => [n, props[n]]));
}

function omit(props: Props, names: readonly string[]): Props {
  return Object.fromEntries(Object.entries(props).filter(([n]) => !names.includes(n)));
}

export class EncryptedRandomPasswordProvider extends EncryptedValueProvider {
  constructor(options: { stackKey?: StackKeySource } = {}) {
    // Its SDK class takes the envelope as state has it (a password's is read back at rotation too).
    super({ stackKey: options.stackKey ?? { sdkClass: "EncryptedRandomPassword" }, storesDerivableEnvelope: true });
  }

  override async check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
    const failed = (failures: CheckFailure[]) => ({ inputs: withoutPlaintexts(news), failures: this.context.scrub(failures) });
    const { policy, failures } = parsePolicy(news);
    const keepers = reveal(news.keepers);
    if (keepers !== undefined && keepers !== null && !isUnknown(keepers) && (typeof keepers !== "object" || Array.isArray(keepers))) {
      failures.push({ property: "keepers", reason: "keepers must be a map of names to values; changing a value draws a new password" });
    }
    for (const name of NOT_FOR_PASSWORDS.filter((n) => news[n] !== undefined)) {
      failures.push({ property: "", reason: `${name} is not an input of EncryptedRandomPassword, which draws its own password; ` +
        "remove it (use EncryptedValue to encrypt a value you have)" });
    }
    const adopt = reveal(news.adoptCiphertextBlob);
    const adoptContext = reveal(news.adoptEncryptionContext);
    if (adopt !== undefined && adopt !== null && !isUnknown(adopt) && (typeof adopt !== "string" || !isStrictBase64(adopt) || adopt === "")) {
      failures.push({ property: "adoptCiphertextBlob", reason: "adoptCiphertextBlob must be a KMS ciphertext, base64 " +
        "(alicloud.kms.Ciphertext's ciphertextBlob, or any KMS client's Encrypt)" });
    }
    if (adoptContext !== undefined && adoptContext !== null && !isUnknown(adoptContext) && !isEncryptionContext(adoptContext)) {
      failures.push({ property: "adoptEncryptionContext", reason: "adoptEncryptionContext must be a map of strings: the context the adopted ciphertext was made with" });
    }
    if (failures.length > 0 || policy === undefined) return failed(failures);

    const valueUrn = revealText(news.valueUrn) ?? "";
    const integrity = checkedIntegrityKey(news, valueUrn, this.stackKey);
    // Keepers are digested under the value's own root where it has one (the resource plugin): a stack
    // key set, changed or removed then fails the stored tags (refused, naming keepers) rather than
    // passing for new keepers, which would draw a new password unasked.
    const root = "integrityRoot" in integrity ? reveal(integrity.integrityRoot) : undefined;
    const valueKey = typeof root === "string" ? valueIntegrityKey(root, valueUrn)
      : "integrityKey" in integrity ? reveal(integrity.integrityKey) : undefined;
    const trigger = isUnknown(policy) || isUnknown(keepers) || typeof valueKey !== "string" || isUnknown(valueKey) ? UNKNOWN
      : keepersDigest(valueKey, { keepers: keepers ?? {}, policy });
    // The placeholder has the password's length, so the target's size limits and DryRuns see the real
    // one; the password itself only ever lives in a Buffer, put in the hand-off once the check passes.
    const password = isUnknown(policy) ? undefined : drawPassword(policy.length, characterClasses(policy));
    try {
      const result = await super.check(olds, {
        ...omit(news, OWN_INPUTS),
        plaintext: password ? secret("x".repeat(password.length)) : UNKNOWN,
        changeDetection: "trigger",
        trigger,
      });
      if ((result.failures ?? []).length > 0) return { ...result, inputs: omit(result.inputs ?? {}, ["trigger"]) };
      if (password && valueUrn && typeof adopt !== "string") this.handoff.put(valueUrn, password);
      // Adopting a ciphertext: no password is drawn; create carries the adopted one over (and diff
      // refuses a replacement while the program still names one: it would be adopted again).
      if (typeof adopt === "string" && valueUrn) this.handoff.release(valueUrn);
      return { inputs: { ...result.inputs, ...pick(news, POLICY_PROPERTIES), ...pick(news, ADOPT_INPUTS) } };
    } finally {
      password?.fill(0);
    }
  }

  override async diff(id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const changed = POLICY_PROPERTIES.filter((n) => JSON.stringify(reveal(olds[n])) !== JSON.stringify(reveal(news[n])));
    const revision = reveal(news.plaintextRevision);
    const redrawn = isUnknown(revision) || revision !== reveal(olds.plaintextRevision);
    if (changed.length > 0 || redrawn) {
      if (typeof reveal(news.adoptCiphertextBlob) === "string") {
        throw new EncryptedValueError(`a new password would be drawn (${changed.length > 0 ? changed.join(", ") : "keepers"} ` +
          "changed), but adoptCiphertextBlob still names the adopted one, which the new resource would adopt again: remove " +
          "adoptCiphertextBlob (and adoptEncryptionContext) to draw a new password");
      }
      const valueUrn = revealText(news.valueUrn);
      const why = changed.length > 0 ? `${changed.join(", ")} changed` : "keepers changed";
      if (valueUrn) await logInfo(valueUrn, `a new password will be drawn: ${why}`);
      return { changes: true, replaces: changed.length > 0 ? [...changed] : ["keepers"], deleteBeforeReplace: false };
    }
    const result = await super.diff(id, olds, news);
    // What update would refuse, refused at preview: a stored ciphertext that fails its tag, or a call
    // the deploying identity may not make (asked with DryRun).
    if (result.changes) {
      this.assertCarriable(olds, news);
      await this.checkCarryOver(olds, news);
    }
    return result;
  }

  /**
   * A DryRun asks about the identity and the key, not the one ciphertext it carries: asked once per
   * key (and action) per provider process, so that a rotation of many passwords costs one question.
   */
  private readonly asked = new Map<string, Promise<void>>();

  private askedOnce(question: string, ask: () => Promise<void>): Promise<void> {
    let answer = this.asked.get(question);
    if (!answer) {
      answer = ask();
      this.asked.set(question, answer);
    }
    return answer;
  }

  /** Throws when the stored ciphertext fails its tag: never carried over. */
  private assertCarriable(olds: Props, news: Props): void {
    if (this.storedValueFails(olds, news)) {
      throw new EncryptedValueError("the stored ciphertext of this password does not match its integrity tag (the state was " +
        `edited or rolled back outside Pulumi): it is not carried over, and no password is drawn unless you ask: ${WAY_OUT}`);
    }
  }

  /** How the stored password moves to the checked target: through ReEncrypt, or opened here. */
  private carryOverPath(olds: Props, news: Props): "reEncrypt" | "decrypt" | "several" {
    const t = storedTarget(news);
    const was = storedTarget(olds);
    if (movesInKms(t, news.recipients) && movesInKms(was, olds.recipients) && t.region === was.region) return "reEncrypt";
    return hasRecipients(readEnvelope(revealText(olds.envelope) ?? "")) ? "several" : "decrypt";
  }

  /** The carry-over's KMS call with DryRun=true: a refusal is the preview's error, naming the right and the ways out. */
  private async checkCarryOver(olds: Props, news: Props): Promise<void> {
    let action = "ReEncrypt";
    try {
      const path = this.carryOverPath(olds, news);
      if (path === "several") throw new EncryptedValueError(SEVERAL);
      const t = storedTarget(news);
      const was = storedTarget(olds);
      if (path === "reEncrypt") {
        await this.askedOnce(`ReEncrypt ${t.region} ${was.encryptionTarget.keyId} ${t.encryptionTarget.keyId}`, () =>
          this.context.services.carryOverCheckIn(t.region).dryRunReEncrypt(revealText(olds.ciphertextBlob) ?? "",
            was.encryptionTarget.encryptionContext, t.encryptionTarget.keyId!, t.encryptionTarget.encryptionContext));
        return;
      }
      const envelope = readEnvelope(revealText(olds.envelope) ?? "");
      if (hasRecipients(envelope) || envelope.certificateId !== undefined) return;
      const check = this.context.services.carryOverCheckIn(envelope.region);
      const blob = envelope.encryptedDataKey ?? envelope.ciphertextBlob ?? "";
      action = isSymmetric(envelope.algorithm) ? "Decrypt" : "AsymmetricDecrypt";
      await this.askedOnce(`${action} ${envelope.region} ${envelope.keyId} ${envelope.keyVersionId}`, () => (action === "Decrypt"
        ? check.dryRunDecrypt(blob, envelope.encryptionContext)
        : check.dryRunAsymmetricDecrypt(envelope.keyId, envelope.keyVersionId, envelope.algorithm, blob)));
    } catch (e) {
      if (e instanceof EncryptedValueError) throw e;
      throw new EncryptedValueError(`the password is carried over to the new key version with ${action}, which KMS refuses: ` +
        `${await this.refusal(e, olds)}. Grant the deploying identity kms:${action}, pin keyVersionId to keep it where it is, or ${WAY_OUT}`);
    }
  }

  /**
   * Why a DryRun was refused. A ValidationError's message is undocumented and may say nothing, so the
   * stored password's key is asked for its state (as resolve-target.ts explains a refused encryption).
   */
  private async refusal(e: unknown, olds: Props): Promise<string> {
    const was = storedTarget(olds);
    const keyId = was.encryptionTarget.keyId;
    if (e instanceof KmsCallError && e.code === "ValidationError" && keyId) {
      try {
        const state = (await this.context.services.in(was.region).describeKey(keyId)).keyState;
        if (state !== "Enabled") return `keyId '${keyId}': ValidationError — the key the password is stored under is ${state}`;
      } catch {
        // The DryRun's own answer, below.
      }
    }
    return this.kmsMessage(e, olds);
  }

  /** A KMS failure about the stored password's key, in KMS's documented words (never a library's). */
  private kmsMessage(e: unknown, olds: Props): string {
    const was = storedTarget(olds);
    return this.context.userError(e, was.blame.property, was.blame.value, was.region, [], was.kmsInstanceId).message;
  }

  override async create(inputs: Props): Promise<dynamic.CreateResult> {
    if (typeof reveal(inputs.adoptCiphertextBlob) !== "string") return super.create(inputs);
    this.context.assertSettings();
    return { id: randomUUID(), outs: await this.adopted(inputs) };
  }

  /**
   * A password that exists already (alicloud.kms.Ciphertext's ciphertext, any KMS client's Encrypt),
   * adopted at create instead of drawn: moved under the target with ReEncrypt where KMS can (a
   * symmetric key's direct value), else decrypted here with the deployer's kms:Decrypt and
   * encrypted again. It was seen before; change keepers later to draw one no one has seen.
   */
  private async adopted(inputs: Props): Promise<Props> {
    const t = storedTarget(inputs);
    const blob = revealText(inputs.adoptCiphertextBlob) ?? "";
    const context = reveal(inputs.adoptEncryptionContext);
    const source = isEncryptionContext(context) && Object.keys(context).length > 0 ? context : undefined;
    try {
      if (movesInKms(t, inputs.recipients)) return await this.reEncrypted(inputs, blob, source);
      const { plaintext } = await this.context.services.decryptorIn(t.region).decrypt(blob, source);
      return await this.encryptPlaintext(inputs, plaintext);
    } catch (e) {
      if (e instanceof EncryptedValueError) throw e;
      const message = this.context.userError(e, "adoptCiphertextBlob", "", t.region).message;
      throw new EncryptedValueError(`the adopted ciphertext could not be moved under ${t.blame.property} '${t.blame.value}': ${message}. ` +
        "Adopting takes kms:ReEncrypt (a symmetric key's direct value), or else kms:Decrypt on the adopted ciphertext's key; " +
        "check adoptEncryptionContext, or leave adoptCiphertextBlob out to draw a new password");
    }
  }

  override async update(_id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
    this.context.assertSettings();
    const valueUrn = revealText(news.valueUrn);
    // Check drew a password for a create that is not happening: an update keeps the stored one.
    if (valueUrn) this.handoff.release(valueUrn);
    this.assertCarriable(olds, news);
    return { outs: await this.carriedOver(olds, news) };
  }

  protected override ownOutputs(inputs: Props): Props {
    return pick(inputs, POLICY_PROPERTIES);
  }

  /** `blob` (a symmetric key's ciphertext, under `sourceContext`) moved by KMS under the checked target, and tagged. */
  private async reEncrypted(inputs: Props, blob: string, sourceContext: EncryptionContext | undefined): Promise<Props> {
    const t = storedTarget(inputs);
    const moved = await this.context.services.reEncryptorIn(t.region).reEncrypt(blob, sourceContext, t.encryptionTarget.keyId!,
      t.encryptionTarget.encryptionContext);
    const out = directOutput({ target: t.encryptionTarget, algorithm: t.algorithm, region: t.region }, moved.ciphertextBlob);
    return this.taggedOutputs(inputs, { ciphertextBlob: out.ciphertextBlob, envelope: formatAnyEnvelope(out.envelope) });
  }

  /** The stored password under the checked inputs' target, never seen here where KMS can move it. */
  private async carriedOver(olds: Props, news: Props): Promise<Props> {
    try {
      const path = this.carryOverPath(olds, news);
      if (path === "several") throw new EncryptedValueError(SEVERAL);
      if (path === "reEncrypt") {
        return await this.reEncrypted(news, revealText(olds.ciphertextBlob) ?? "", storedTarget(olds).encryptionTarget.encryptionContext);
      }
      // Not several recipients (carryOverPath said so): one key's or certificate's envelope.
      const envelope = readEnvelope(revealText(olds.envelope) ?? "") as Envelope;
      const plaintext = await decryptEnvelope(this.context.services.decryptorIn(envelope.region), envelope);
      return await this.encryptPlaintext(news, plaintext);
    } catch (e) {
      if (e instanceof EncryptedValueError) throw e;
      throw new EncryptedValueError(`the password could not be carried over to the new key version: ${this.kmsMessage(e, olds)}. ` +
        "Carrying it over takes kms:ReEncrypt for a symmetric key's direct value, or else the decrypt right on the old key " +
        `(kms:Decrypt, kms:AsymmetricDecrypt or kms:CertificatePrivateKeyDecrypt); grant it, pin keyVersionId, or ${WAY_OUT}`);
    }
  }
}
