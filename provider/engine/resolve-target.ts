import { WRAPPED_DATA_KEY_BYTES } from "../crypto/data-key-cipher";
import type { CheckFailure, Unknown, ValidInputs } from "./inputs";

/** What target resolution reads of the inputs (the CLI builds just this). */
export type TargetInputs = Pick<ValidInputs, "plaintext" | "plaintextProperty" | "target" | "algorithm" | "encryptLocally" | "envelope">;
import { plaintextFailure } from "./inputs";
import { KmsCallError } from "../kms/kms-call-error";
import { describeKmsError, keyStateHints } from "../kms/kms-error-messages";
import {
  algorithmsFor,
  defaultAlgorithm,
  ENCRYPTION_KEY_SPECS,
  isEncryptionKeySpec,
  maxPlaintextBytes,
  type Algorithm,
} from "../kms/key-spec-limits";
import type { KmsServices } from "../kms/kms-services";
import { isUnknown, UNKNOWN } from "./wire-values";

// Check's KMS half: find the key (or certificate), its state, spec and version; fit the algorithm
// and the plaintext size to it; and ask KMS through DryRun whether the encryption would succeed.
// Only DescribeKey, DescribeKeyVersion, DescribeCertificate and DryRun calls: nothing encrypts.
// With encryptLocally the DryRun is GetPublicKey's, the call that mode makes at create.

export interface ResolvedTarget {
  kind: "key" | "certificate";
  /** The key's own ID (never an alias or ARN), or the certificate ID. */
  id: string | Unknown;
  keyVersionId?: string | Unknown;
  keySpec: string | Unknown;
  algorithm: Algorithm | Unknown;
  region: string | Unknown;
}

export async function resolveTarget(
  inputs: TargetInputs,
  services: KmsServices,
): Promise<{ target?: ResolvedTarget; failures: CheckFailure[] }> {
  const t = inputs.target;
  const reference = t.kind === "key" ? t.keyId : t.certificateId;
  const property = t.kind === "key" ? "keyId" : "certificateId";
  if (isUnknown(reference)) {
    // Preview with the key or certificate still to be created: nothing to ask KMS yet.
    return {
      target: {
        kind: t.kind,
        id: UNKNOWN,
        ...(t.kind === "key" ? { keyVersionId: t.keyVersionId ?? UNKNOWN } : {}),
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
        reason: `${property} '${reference}': no region configured; set alicloud-kms:region (or alicloud:region, ALIBABA_CLOUD_REGION_ID)${t.kind === "key" ? ", or pass the key's ARN" : ""}`,
      }],
    };
  }
  const kmsFailure = (e: unknown, prop: string, value: string): CheckFailure => {
    if (!(e instanceof KmsCallError)) throw e;
    return { property: prop, reason: describeKmsError(e, services.errorContext(prop, value, region)) };
  };
  const kms = services.in(region, inputs.encryptLocally);

  let id: string;
  let keySpec: string;
  let keyVersionId: string | Unknown | undefined;
  if (t.kind === "key") {
    let meta;
    try {
      meta = await kms.describeKey(reference);
    } catch (e) {
      return { failures: [kmsFailure(e, "keyId", reference)] };
    }
    const failures: CheckFailure[] = [];
    const subject = `keyId '${reference}'${reference !== meta.keyId ? ` (key ${meta.keyId})` : ""}`;
    if (meta.keyUsage !== "ENCRYPT/DECRYPT") {
      failures.push({ property: "keyId", reason: `${subject}: key usage is ${meta.keyUsage}; EncryptedValue needs an ENCRYPT/DECRYPT key` });
    }
    if (!isEncryptionKeySpec(meta.keySpec)) {
      failures.push({ property: "keyId", reason: `${subject}: key spec ${meta.keySpec} cannot encrypt asymmetrically; use a ${ENCRYPTION_KEY_SPECS.join(", ")} key` });
    }
    if (meta.keyState !== "Enabled") {
      failures.push({ property: "keyId", reason: `${subject}: Rejected.${meta.keyState} — ${keyStateHints[meta.keyState] ?? `the key is ${meta.keyState}`}` });
    }
    if (failures.length > 0) return { failures };
    id = meta.keyId;
    keySpec = meta.keySpec;
    keyVersionId = t.keyVersionId ?? meta.primaryKeyVersion;
    if (t.keyVersionId !== undefined && !isUnknown(t.keyVersionId)) {
      try {
        await kms.describeKeyVersion(id, t.keyVersionId);
      } catch (e) {
        const failure = kmsFailure(e, "keyVersionId", t.keyVersionId);
        if (e instanceof KmsCallError && e.code === "Forbidden.ResourceNotFound") {
          failure.reason = `keyVersionId '${t.keyVersionId}': Forbidden.ResourceNotFound — not a version of key ${id}; omit keyVersionId to follow the primary version, or use one from ListKeyVersions`;
        }
        return { failures: [failure] };
      }
    }
  } else {
    let cert;
    try {
      cert = await kms.describeCertificate(reference);
    } catch (e) {
      return { failures: [kmsFailure(e, "certificateId", reference)] };
    }
    if (cert.status !== "ACTIVE") {
      return { failures: [{ property: "certificateId", reason: `certificateId '${reference}': certificate is ${cert.status}; only ACTIVE certificates encrypt — use another certificate` }] };
    }
    if (!isEncryptionKeySpec(cert.keySpec)) {
      return { failures: [{ property: "certificateId", reason: `certificateId '${reference}': key spec ${cert.keySpec} cannot encrypt; use an RSA_2048, RSA_3072 or EC_SM2 certificate` }] };
    }
    if (inputs.encryptLocally && !cert.subjectPublicKey) {
      return { failures: [{ property: "encryptLocally", reason: `certificateId '${reference}': KMS returned no SubjectPublicKey to encrypt with locally; set encryptLocally: false` }] };
    }
    id = cert.certificateId || reference;
    keySpec = cert.keySpec;
  }

  // keySpec is an encryption spec from here on.
  const spec = keySpec as keyof typeof defaultAlgorithm;
  const algorithm = inputs.algorithm ?? defaultAlgorithm[spec];
  if (isUnknown(algorithm)) {
    return { target: { kind: t.kind, id, ...(t.kind === "key" ? { keyVersionId } : {}), keySpec, algorithm, region }, failures: [] };
  }
  const limit = maxPlaintextBytes(spec, algorithm);
  if (limit === undefined) {
    return { failures: [{ property: "algorithm", reason: `algorithm ${algorithm} does not fit key spec ${keySpec} of ${property} '${reference}'; use ${algorithmsFor(spec).join(" or ")}` }] };
  }
  if (!inputs.envelope && inputs.plaintext instanceof Buffer && inputs.plaintext.length > limit) {
    const size = inputs.plaintext.length;
    const others = algorithmsFor(spec).filter((a) => a !== algorithm && (maxPlaintextBytes(spec, a) ?? 0) >= size);
    return {
      failures: [plaintextFailure(inputs.plaintextProperty,
        `is ${size} bytes; ${keySpec} with ${algorithm} encrypts at most ${limit}. Set envelope: true to encrypt any size ` +
        `(AES-256-GCM with a data key that KMS encrypts)${others.length ? `, or use ${others.join(" or ")}` : ""}`)],
    };
  }
  if (t.kind === "key" && typeof keyVersionId === "string" && !isUnknown(keyVersionId)) {
    // With an envelope, KMS encrypts only the data key.
    const size = inputs.envelope ? WRAPPED_DATA_KEY_BYTES : inputs.plaintext instanceof Buffer ? inputs.plaintext.length : 1;
    try {
      await kms.dryRunEncrypt(id, keyVersionId, algorithm, size);
    } catch (e) {
      const prop = e instanceof KmsCallError && e.code === "Forbidden.ResourceNotFound" ? "keyVersionId" : e instanceof KmsCallError && e.code === "InvalidParameter" ? "algorithm" : "keyId";
      return { failures: [kmsFailure(e, prop, prop === "keyVersionId" ? keyVersionId : prop === "algorithm" ? algorithm : reference)] };
    }
  }
  return { target: { kind: t.kind, id, ...(t.kind === "key" ? { keyVersionId } : {}), keySpec, algorithm, region }, failures: [] };
}
