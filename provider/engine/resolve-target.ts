import { WRAPPED_DATA_KEY_BYTES } from "../crypto/data-key-cipher";
import { KmsCallError } from "../kms/kms-call-error";
import { base64Length, isUtf8Text } from "../kms/symmetric-plaintext";
import { describeKmsError, keyStateHints } from "../kms/kms-error-messages";
import { currentKeyVersion, isUnknownKeyVersion, type KmsService } from "../kms/kms-service";
import type { KmsServices } from "../kms/kms-services";
import { printable, regionOfKeyReference } from "../kms/identifiers";
import {
  algorithmsFor,
  defaultAlgorithm,
  ENCRYPTION_KEY_SPECS,
  type EncryptionKeySpec,
  isEncryptionKeySpec,
  isSymmetric,
  isSymmetricKeySpec,
  maxPlaintextBytes,
  type Algorithm,
} from "../kms/key-spec-limits";
import { type CheckFailure, plaintextFailure, type SharedInputs, type Unknown } from "./inputs";
import { isUnknown, UNKNOWN } from "./wire-values";

// Check's KMS half: find the key (or certificate), its state, spec and version; fit the algorithm
// and the plaintext size to it; and ask KMS through DryRun whether the encryption would succeed.
// Only Describe*, ListKeyVersions and DryRun calls: nothing encrypts. With encryptLocally the
// DryRun is GetPublicKey's, the call that mode makes at create.

/** A plaintext as check measures it, with the name its failure gives it (an input, or a map entry). */
export interface SizedPlaintext {
  property: string;
  plaintext: Buffer | Unknown;
}

/** What target resolution reads of the inputs (the CLI builds just this). */
export interface TargetInputs extends Pick<SharedInputs, "target" | "algorithm" | "encryptLocally" | "envelope" | "encryptionContext"> {
  /** Every plaintext to go under the target: each must fit it, unless envelope. */
  plaintexts: readonly SizedPlaintext[];
}

export interface ResolvedTarget {
  kind: "key" | "certificate";
  /** The key's own ID (never an alias or ARN), or the certificate ID. */
  id: string | Unknown;
  keyVersionId?: string | Unknown;
  /** The KMS instance the key lives in ("" outside one); keys only. */
  kmsInstanceId?: string | Unknown;
  keySpec: string | Unknown;
  algorithm: Algorithm | Unknown;
  region: string | Unknown;
}

type Resolution = { target?: ResolvedTarget; failures: CheckFailure[] };

/** What check knows of the key or certificate once KMS has described it. */
interface Described {
  id: string;
  keySpec: EncryptionKeySpec;
  keyVersionId?: string;
  kmsInstanceId?: string;
}

/** A KMS failure as check reports it, about one property and its value. */
type Blame = (e: unknown, property: string, value: string) => CheckFailure;

export async function resolveTarget(inputs: TargetInputs, services: KmsServices): Promise<Resolution> {
  const t = inputs.target;
  const reference = t.kind === "key" ? t.keyId : t.certificateId;
  const property = t.kind === "key" ? "keyId" : "certificateId";
  if (isUnknown(reference)) {
    // Preview with the key or certificate still to be created: nothing to ask KMS yet.
    return {
      target: {
        kind: t.kind,
        id: UNKNOWN,
        ...(t.kind === "key" ? { keyVersionId: t.keyVersionId ?? UNKNOWN, kmsInstanceId: UNKNOWN } : {}),
        keySpec: UNKNOWN,
        algorithm: inputs.algorithm ?? UNKNOWN,
        region: UNKNOWN,
      },
      failures: [],
    };
  }
  const region = services.regionFor(t.kind === "key" ? reference : undefined);
  if (!region) {
    return {
      failures: [{
        property,
        reason: `${property} '${reference}': no region configured; set ${services.names.region}${t.kind === "key" ? ", or pass the key's ARN" : ""}`,
      }],
    };
  }
  const kms = services.in(region, inputs.encryptLocally);
  // A refusal of a cryptographic call on a key of a KMS instance gets the instance's hint.
  const blameFor = (kmsInstanceId?: string): Blame => (e, prop, value) => {
    if (!(e instanceof KmsCallError)) throw e;
    return { property: prop, reason: describeKmsError(e, services.errorContext(prop, value, region, kmsInstanceId)) };
  };
  const blame = blameFor();

  const described = t.kind === "key"
    ? await describeKey(kms, reference, t.keyVersionId, blame)
    : await describeCertificate(kms, reference, inputs.encryptLocally === true, blame);
  if ("failures" in described) return described;
  const { id, keySpec, keyVersionId } = described;
  const resolved = (algorithm: Algorithm | Unknown): Resolution => ({
    target: {
      kind: t.kind,
      id,
      ...(t.kind === "key" ? { keyVersionId: keyVersionId ?? UNKNOWN, kmsInstanceId: described.kmsInstanceId ?? "" } : {}),
      keySpec,
      algorithm,
      region,
    },
    failures: [],
  });

  const symmetricProblems = symmetricFailures(inputs, keySpec, `${property} '${reference}'`);
  if (symmetricProblems.length > 0) return { failures: symmetricProblems };

  const algorithm = inputs.algorithm ?? defaultAlgorithm[keySpec];
  if (isUnknown(algorithm)) return resolved(algorithm);
  const limit = maxPlaintextBytes(keySpec, algorithm);
  if (limit === undefined) {
    const reason = `algorithm ${algorithm} does not fit key spec ${keySpec} of ${property} '${reference}'; use ${algorithmsFor(keySpec).join(" or ")}`;
    return { failures: [{ property: "algorithm", reason }] };
  }
  const sizes = inputs.plaintexts.flatMap(({ property, plaintext }) =>
    (plaintext instanceof Buffer ? [{ property, size: plaintext.length }] : []));
  const tooLong = inputs.envelope ? [] : sizes.filter((p) => p.size > limit);
  if (tooLong.length > 0) {
    return {
      failures: tooLong.map(({ property, size }) => {
        const others = algorithmsFor(keySpec).filter((a) => a !== algorithm && (maxPlaintextBytes(keySpec, a) ?? 0) >= size);
        return plaintextFailure(property,
          `is ${size} bytes; ${keySpec} with ${algorithm} encrypts at most ${limit}. Set envelope: true to encrypt any size ` +
          `(AES-256-GCM with a data key that KMS encrypts)${others.length ? `, or use ${others.join(" or ")}` : ""}`);
      }),
    };
  }
  if (isSymmetric(algorithm) && !inputs.envelope) {
    // Encrypt carries a direct value as its own text, which every KMS client's Decrypt returns.
    const binary = inputs.plaintexts.filter(({ plaintext }) => plaintext instanceof Buffer && !isUtf8Text(plaintext));
    if (binary.length > 0) {
      return {
        failures: binary.map(({ property }) => plaintextFailure(property,
          "is not UTF-8 text: a symmetric key's Encrypt takes a value as text, which every KMS client's Decrypt returns as it is. " +
          "Set envelope: true for binary data (AES-256-GCM with a data key that KMS encrypts)")),
      };
    }
  }
  if (t.kind === "key" && keyVersionId !== undefined) {
    // With an envelope, KMS encrypts only the (tagged) data key, a symmetric key's as base64 text;
    // otherwise the largest plaintext.
    const wrapped = isSymmetric(algorithm) ? base64Length(WRAPPED_DATA_KEY_BYTES) : WRAPPED_DATA_KEY_BYTES;
    const size = inputs.envelope ? wrapped : sizes.reduce((most, p) => Math.max(most, p.size), 1);
    try {
      const context = isUnknown(inputs.encryptionContext) ? undefined : inputs.encryptionContext;
      await kms.dryRunEncrypt(id, keyVersionId, algorithm, size, context);
    } catch (e) {
      const pinned = t.keyVersionId !== undefined;
      const attempt = { kms: services.directIn(region), reference, id, keyVersionId, pinned, keySpec, algorithm, size };
      const failure = await explainDryRun(e, attempt, blameFor(described.kmsInstanceId || undefined));
      return { failures: [failure] };
    }
  }
  return resolved(algorithm);
}

/** What a symmetric key does not take (and what only it takes): local encryption, a pinned version, a context. */
function symmetricFailures(inputs: TargetInputs, keySpec: EncryptionKeySpec, subject: string): CheckFailure[] {
  if (!isSymmetricKeySpec(keySpec)) {
    return inputs.encryptionContext === undefined ? [] : [{
      property: "encryptionContext",
      reason: `${subject} is ${keySpec}: encryptionContext applies to symmetric keys (Aliyun_AES_256, Aliyun_SM4) only, ` +
        "since AsymmetricEncrypt takes none; remove it",
    }];
  }
  const failures: CheckFailure[] = [];
  if (inputs.encryptLocally === true) {
    failures.push({ property: "encryptLocally", reason: `${subject} is symmetric (${keySpec}): KMS never reveals a symmetric key, so nothing can encrypt with it outside KMS; set encryptLocally: false` });
  }
  if (inputs.target.kind === "key" && inputs.target.keyVersionId !== undefined) {
    failures.push({ property: "keyVersionId", reason: `${subject} is symmetric (${keySpec}): Encrypt takes no key version (KMS chooses it), so none can be pinned; remove keyVersionId` });
  }
  return failures;
}

async function describeKey(
  kms: KmsService,
  reference: string,
  pinned: string | Unknown | undefined,
  blame: Blame,
): Promise<Described | { failures: CheckFailure[] }> {
  let meta;
  try {
    meta = await kms.describeKey(reference);
  } catch (e) {
    return { failures: [blame(e, "keyId", reference)] };
  }
  const failures: CheckFailure[] = [];
  const subject = `keyId '${reference}'${reference !== meta.keyId ? ` (key ${meta.keyId})` : ""}`;
  if (meta.keyUsage !== "ENCRYPT/DECRYPT") {
    failures.push({ property: "keyId", reason: `${subject}: key usage is ${meta.keyUsage}; EncryptedValue needs an ENCRYPT/DECRYPT key` });
  }
  if (!isEncryptionKeySpec(meta.keySpec)) {
    failures.push({ property: "keyId", reason: `${subject}: key spec ${meta.keySpec} cannot encrypt; use a ${ENCRYPTION_KEY_SPECS.join(", ")} key` });
  }
  if (meta.keyState !== "Enabled") {
    failures.push({ property: "keyId", reason: `${subject}: Rejected.${meta.keyState} — ${keyStateHints[meta.keyState] ?? `the key is ${meta.keyState}`}` });
  }
  // A key lives in one region. Behind a configured endpoint (a KMS instance, a proxy, the emulator)
  // a misspelled region still reaches the key, and would be written into every envelope and ARN.
  const home = regionOfKeyReference(meta.arn);
  if (home !== undefined && home !== kms.region) {
    failures.push({ property: "keyId", reason: `${subject} is in region ${home} (its ARN says so), not ${printable(kms.region)}, ` +
      `where this value would say it was encrypted; set the region to ${home}, or pass the key's ARN` });
  }
  if (failures.length > 0 || !isEncryptionKeySpec(meta.keySpec)) return { failures };
  const described = { id: meta.keyId, keySpec: meta.keySpec, kmsInstanceId: meta.kmsInstanceId };
  if (isUnknown(pinned)) return described;
  if (pinned !== undefined) {
    try {
      await kms.describeKeyVersion(meta.keyId, pinned);
    } catch (e) {
      return { failures: [versionFailure(e, pinned, meta.keyId, blame)] };
    }
    return { ...described, keyVersionId: pinned };
  }
  // Following the key: the primary version, or the newest one ListKeyVersions lists.
  let current;
  try {
    current = await currentKeyVersion(kms, meta);
  } catch (e) {
    return { failures: [blame(e, "keyId", reference)] };
  }
  if (!current) {
    return { failures: [{ property: "keyId", reason: `${subject}: KMS lists no version of this key (ListKeyVersions); use another key` }] };
  }
  return { ...described, keyVersionId: current };
}

async function describeCertificate(
  kms: KmsService,
  reference: string,
  encryptLocally: boolean,
  blame: Blame,
): Promise<Described | { failures: CheckFailure[] }> {
  let cert;
  try {
    cert = await kms.describeCertificate(reference);
  } catch (e) {
    return { failures: [blame(e, "certificateId", reference)] };
  }
  if (cert.status !== "ACTIVE") {
    return { failures: [{ property: "certificateId", reason: `certificateId '${reference}': certificate is ${cert.status}; only ACTIVE certificates encrypt — use another certificate` }] };
  }
  if (!isEncryptionKeySpec(cert.keySpec)) {
    return { failures: [{ property: "certificateId", reason: `certificateId '${reference}': key spec ${cert.keySpec} cannot encrypt; use an RSA_2048 or EC_SM2 certificate` }] };
  }
  if (encryptLocally && !cert.subjectPublicKey) {
    return { failures: [{ property: "encryptLocally", reason: `certificateId '${reference}': KMS returned no SubjectPublicKey to encrypt with locally; set encryptLocally: false` }] };
  }
  return { id: cert.certificateId || reference, keySpec: cert.keySpec };
}

/** A pinned version KMS does not know, or another failure describing it. */
function versionFailure(e: unknown, keyVersionId: string, keyId: string, blame: Blame): CheckFailure {
  if (e instanceof KmsCallError && isUnknownKeyVersion(e.code)) {
    return {
      property: "keyVersionId",
      reason: `keyVersionId '${keyVersionId}': ${e.code} — not a version of key ${keyId}; omit keyVersionId to follow the key's current version, or use one from ListKeyVersions`,
    };
  }
  return blame(e, "keyVersionId", keyVersionId);
}

interface DryRunAttempt {
  /** Uncached: the probes must see KMS as it is now, not as check saw it earlier. */
  kms: KmsService;
  reference: string;
  id: string;
  keyVersionId: string;
  /** The program named the version (keyVersionId), rather than following the key. */
  pinned: boolean;
  keySpec: EncryptionKeySpec;
  algorithm: Algorithm;
  size: number;
}

/**
 * Which property a refused DryRun is about. A ValidationError's message format is undocumented and
 * may name no reason, so the reason is found by asking: the key's state now, whether the version
 * still exists, whether another algorithm would pass. A refusal with its own code says it already.
 */
/** A question to KMS whose failure is an answer too. */
async function probe<T>(ask: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error?: KmsCallError }> {
  try {
    return { ok: true, value: await ask() };
  } catch (failure) {
    return failure instanceof KmsCallError ? { ok: false, error: failure } : { ok: false };
  }
}

async function explainDryRun(e: unknown, a: DryRunAttempt, blame: Blame): Promise<CheckFailure> {
  if (!(e instanceof KmsCallError) || e.code !== "ValidationError") {
    const code = e instanceof KmsCallError ? e.code : "";
    if (isUnknownKeyVersion(code)) return a.pinned ? versionFailure(e, a.keyVersionId, a.id, blame) : blame(e, "keyId", a.reference);
    return code === "InvalidParameter" ? blame(e, "algorithm", a.algorithm) : blame(e, "keyId", a.reference);
  }
  const meta = await probe(() => a.kms.describeKey(a.id));
  if (meta.ok && meta.value.keyState !== "Enabled") {
    return { property: "keyId", reason: `keyId '${a.reference}': ValidationError — the key is ${meta.value.keyState} now: ${keyStateHints[meta.value.keyState] ?? "choose another key"}` };
  }
  const version = await probe(() => a.kms.describeKeyVersion(a.id, a.keyVersionId));
  if (!version.ok && version.error && isUnknownKeyVersion(version.error.code)) {
    return a.pinned
      ? versionFailure(version.error, a.keyVersionId, a.id, blame)
      : { property: "keyId", reason: `keyId '${a.reference}': ValidationError — its current version ${a.keyVersionId} no longer exists; run the preview again` };
  }
  const fits = (other: Algorithm) => other !== a.algorithm && (maxPlaintextBytes(a.keySpec, other) ?? 0) >= a.size;
  const others = algorithmsFor(a.keySpec).filter(fits);
  for (const other of others) {
    if ((await probe(() => a.kms.dryRunEncrypt(a.id, a.keyVersionId, other, a.size))).ok) {
      return { property: "algorithm", reason: `algorithm ${a.algorithm}: ValidationError — KMS refuses it for key ${a.id} but would take ${other}; use ${other}` };
    }
  }
  return {
    property: "keyId",
    reason: `keyId '${a.reference}': ValidationError — KMS says the encryption would not be valid and gives no reason; the key is Enabled, ` +
      `version ${a.keyVersionId} exists and ${a.algorithm} fits ${a.keySpec}: check the key's policy and its KMS instance in the console`,
  };
}
