import { PACKAGE, TOKENS } from "./plugin-config";

// The plugin's Pulumi package schema: what `pulumi package get-schema`, YAML programs and the SDK
// generators read. It keeps the TypeScript SDK's names and words (sdk/encrypted-value.ts,
// sdk/encrypted-values.ts, sdk/kms-target-resource.ts); test/plugin/schema.test.ts holds the two to
// the same properties. `npm run plugin:schema` writes it to provider/plugin/schema.json for the
// generators (sdk-gen/).

type Property = Record<string, unknown>;

const string = (description: string, extra: Property = {}): Property => ({ type: "string", description, ...extra });
const boolean = (description: string): Property => ({ type: "boolean", description });
const stringMap = (description: string, extra: Property = {}): Property => ({ type: "object", additionalProperties: { type: "string" }, description, ...extra });
const ref = (name: string) => ({ $ref: `#/types/${PACKAGE}:index:${name}` });

const ALGORITHM = "`RSAES_OAEP_SHA_256` or `RSAES_OAEP_SHA_1` for RSA keys, `SM2PKE` for EC_SM2 keys, `SYMMETRIC_DEFAULT` for symmetric keys. " +
  "Default: `RSAES_OAEP_SHA_256` for RSA, `SM2PKE` for EC_SM2, `SYMMETRIC_DEFAULT` for Aliyun_AES_256 and Aliyun_SM4.";
const KEY_ID = "The ENCRYPT/DECRYPT key: asymmetric (RSA_2048, RSA_3072 or EC_SM2; AsymmetricEncrypt) or symmetric (Aliyun_AES_256 or " +
  "Aliyun_SM4; Encrypt): its ID, `alias/<name>` or ARN `acs:kms:<region>:<account>:key/<id>` (the ARN's region wins over the configured " +
  "one). Set exactly one of `keyId` and `certificateId`.";
const CONTEXT = "Symmetric keys only: non-secret key–value pairs KMS binds to the ciphertext (Encrypt's EncryptionContext); Decrypt " +
  "refuses it under any other. Stored in state and carried by the envelope; a bare ciphertext needs it given again. Changing it " +
  "re-encrypts. Never put a secret here.";
const ENVELOPE_FORMAT = "`\"encryption-sdk\"`: write the envelope as Alibaba Cloud's Encryption SDK message, which an application opens " +
  "with `AliyunCrypto.decrypt` (Java, Python, Go). Symmetric keys only; envelope encryption is implied. Default `\"native\"`. " +
  "Changing it re-encrypts.";
const ENCRYPT_LOCALLY = "Encrypt in the provider process with the key version's public key (one `GetPublicKey` per key version per " +
  "deployment) instead of one KMS call per value. The ciphertext is the same kind KMS makes. Default: stack config " +
  "`alicloud-kms:encryptLocally`, else `false`. Changing it alone does not re-encrypt.";
const CHANGE_DETECTION = "`\"digest\"` (default): a salted scrypt digest of the plaintext, kept only among the resource's inputs in " +
  "state, as a secret, detects changes. `\"trigger\"`: no digest at all; the value is re-encrypted only when its trigger (or the key, " +
  "version or algorithm) changes.";

/** The inputs both resources take, besides their plaintexts. */
function targetInputs(scope: "value" | "values"): Record<string, Property> {
  const each = scope === "value" ? "the value" : "every entry";
  return {
    keyId: string(KEY_ID),
    certificateId: string(`A KMS-managed certificate to encrypt ${each} with (CertificatePublicKeyEncrypt); it must be ACTIVE.`),
    algorithm: string(ALGORITHM),
    keyVersionId: string("Pin a key version. Omitted, the key's primary version is looked up at every preview and up, and the " +
      "value is re-encrypted when the key rotates."),
    changeDetection: string(CHANGE_DETECTION),
    encryptLocally: boolean(ENCRYPT_LOCALLY),
    envelope: boolean("Envelope encryption, for values of any size: a fresh AES-256-GCM data key encrypts the plaintext in the " +
      "provider, and only the data key goes through KMS. Without it, a plaintext must fit the key: 190/214 bytes (RSA_2048), " +
      "318/342 (RSA_3072), 6047 (EC_SM2)."),
    encryptionContext: stringMap(CONTEXT),
    recipients: {
      type: "array", items: ref("Recipient"),
      description: "Several recipients instead of one key or certificate (disaster recovery, key migration): one data key, wrapped " +
        "by each recipient's KMS in its own region, so any one of them opens the value (envelope format v3). Replaces `keyId`, " +
        "`certificateId`, `algorithm`, `keyVersionId` and `encryptionContext`. Up to 8.",
    },
    envelopeFormat: string(ENVELOPE_FORMAT),
  };
}

/** The outputs both resources have, besides their ciphertexts. */
const TARGET_OUTPUTS: Record<string, Property> = {
  keyId: string("The key's own ID (aliases and ARNs resolved); \"\" for certificates."),
  keyVersionId: string("The key version the ciphertexts were made with; \"\" for certificates."),
  kmsInstanceId: string("The KMS instance (`kst-…`) the key lives in (KMS 3.0); \"\" for a key outside one and for certificates."),
  certificateId: string("The certificate used (CertificatePublicKeyEncrypt); \"\" for keys."),
  algorithm: string("The algorithm used, e.g. RSAES_OAEP_SHA_256."),
  keySpec: string("The key or certificate spec: RSA_2048, RSA_3072, EC_SM2, Aliyun_AES_256 or Aliyun_SM4."),
  region: string("The region the KMS calls went to."),
  changeDetection: string("How plaintext changes are noticed: `\"digest\"` or `\"trigger\"`."),
  encryptionContext: stringMap("A symmetric key's encryption context ({} for none): Decrypt needs it again; the envelope carries it."),
  recipients: {
    type: "array", items: ref("ResolvedRecipient"),
    description: "With `recipients`: each one as resolved, in order; the target outputs (`keyId`, `region`, …) describe the first. " +
      "`[]` for one key or certificate.",
  },
  plaintextEncoding: string("How the `Plaintext` KMS's Decrypt returns for the ciphertext carries the value: `\"text\"`, the secret " +
    "itself (a symmetric key without envelope encryption: what `kmsEncryptedPassword` reads); `\"base64\"`, base64 of the bytes."),
  envelopeFormat: string("The format of the envelope: `\"native\"`, or `\"encryption-sdk\"` (Alibaba's Encryption SDK message)."),
  staleReason: string("Set by `pulumi refresh` when the key, version or certificate can no longer decrypt, or the state was edited; \"\" otherwise."),
};

const SECRET_TEXT = "The secret to encrypt, as UTF-8 text. A secret; never stored in state. Set exactly one of `plaintext` and `plaintextBase64`.";

function encryptedValue(): Property {
  return {
    description: "A secret encrypted by Alibaba Cloud KMS at deploy time. State keeps the ciphertext and nothing the plaintext can be " +
      "recovered from; `pulumi preview` validates through KMS's DryRun without encrypting.",
    inputProperties: {
      plaintext: string(SECRET_TEXT, { secret: true }),
      plaintextBase64: string("The secret to encrypt, as base64-encoded bytes (for binary data). A secret; never stored in state.", { secret: true }),
      ...targetInputs("value"),
      trigger: string("Any string; changing it re-encrypts. Required with `changeDetection: \"trigger\"`. Kept among the inputs in state, never as an output."),
      bindScope: boolean("Bind the value's name into a bare symmetric ciphertext, as the context pair `\"pulumi:value\": <name>`: KMS's " +
        "Decrypt then opens it for no caller that does not send it. Off by default; envelopes always bind their scope."),
    },
    properties: {
      ciphertextBlob: string("KMS's ciphertext, base64: of the value, or with envelope encryption of the data key. Not a secret: only the key's private half can open it."),
      envelope: string("The value as one self-describing string (base64 of JSON): the key or certificate, version, algorithm and " +
        "region, and the ciphertext. `pulumi-alicloud-kms-encrypted decrypt` and `decrypt()` open it with nothing else to pass."),
      plaintextRevision: { type: "integer", description: "1 when the value was created, one more each time its plaintext (digest mode) or its trigger changed." },
      ...TARGET_OUTPUTS,
    },
    required: ["ciphertextBlob", "envelope", "plaintextRevision", ...Object.keys(TARGET_OUTPUTS)],
  };
}

function encryptedValues(): Property {
  return {
    description: "Many secrets in one resource, all under one key or certificate: each entry is encrypted as an EncryptedValue would " +
      "be. Changing, adding or removing an entry encrypts only that entry.",
    inputProperties: {
      plaintexts: stringMap("The secrets to encrypt, as UTF-8 text, by entry name. A secret; never stored in state. The names are not " +
        "secret: they are the keys of the output maps (1–128 letters, digits, `_`, `.` or `-`, starting with a letter or digit).", { secret: true }),
      ...targetInputs("values"),
      triggers: stringMap("With `changeDetection: \"trigger\"`: a string per entry; changing one re-encrypts that entry."),
    },
    requiredInputs: ["plaintexts"],
    properties: {
      ciphertexts: stringMap("KMS's ciphertext of each entry (of its data key with envelope encryption), base64, by entry name."),
      envelopes: stringMap("Each entry as one self-describing envelope string, by entry name."),
      plaintextRevisions: { type: "object", additionalProperties: { type: "integer" }, description: "Each entry's revision: 1 when it appeared, one more each time it changed." },
      ...TARGET_OUTPUTS,
    },
    required: ["ciphertexts", "envelopes", "plaintextRevisions", ...Object.keys(TARGET_OUTPUTS)],
  };
}

const integer = (description: string): Property => ({ type: "integer", description });

function encryptedRandomPassword(): Property {
  const { changeDetection: _mode, ...target } = targetInputs("value");
  return {
    description: "A password no one ever sees: drawn by the provider at create from the operating system's CSPRNG, encrypted at once " +
      "by Alibaba Cloud KMS, and dropped. State keeps the ciphertext and nothing the password can be recovered from, not even as a " +
      "secret. A key rotation keeps the password (ReEncrypt for a symmetric key); a change of `keepers` or of the policy draws a new one.",
    inputProperties: {
      length: integer("The password's length in characters (1–1024)."),
      lower: boolean("Include lowercase letters. Default true."),
      upper: boolean("Include uppercase letters. Default true."),
      numeric: boolean("Include digits. Default true."),
      special: boolean("Include special characters (`!@#$%&*()-_=+[]{}<>:?`, or `overrideSpecial`). Default true."),
      minLower: integer("At least this many lowercase letters. Default 0."),
      minUpper: integer("At least this many uppercase letters. Default 0."),
      minNumeric: integer("At least this many digits. Default 0."),
      minSpecial: integer("At least this many special characters. Default 0."),
      overrideSpecial: string("The special characters to draw from instead of the default set (printable ASCII, no spaces)."),
      profile: string("`\"rds\"`: a password an ApsaraDB RDS account takes (8–32 characters, three classes at least, special characters " +
        "among `!@#$&%^*()_+-=`, then the default set); every class that is on draws at least one character unless its minimum says otherwise."),
      keepers: { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" }, secret: true,
        description: "Any values; changing one draws a new password (the resource is replaced). State keeps only a keyed digest of them." },
      adoptCiphertextBlob: string("Adopt a password that exists instead of drawing one: a KMS ciphertext of it (e.g. " +
        "alicloud.kms.Ciphertext's ciphertextBlob), moved under this resource's key at create (ReEncrypt for a symmetric key's " +
        "direct value, else decrypted with kms:Decrypt and encrypted again). Read at create only; remove it before changing keepers."),
      adoptEncryptionContext: stringMap("The encryption context `adoptCiphertextBlob` was made with."),
      ...target,
    },
    requiredInputs: ["length"],
    properties: {
      ciphertextBlob: string("KMS's ciphertext of the password, base64 (with a symmetric key: what `kmsEncryptedPassword` takes)."),
      envelope: string("The password's envelope: `pulumi-alicloud-kms-encrypted decrypt` and `decrypt()` open it with nothing else to pass."),
      plaintextRevision: integer("1: a new password is a new resource."),
      length: integer("The password's length, as the policy gave it."),
      ...TARGET_OUTPUTS,
    },
    required: ["ciphertextBlob", "envelope", "plaintextRevision", "length", ...Object.keys(TARGET_OUTPUTS)],
  };
}

const CONFIG: Record<string, Property> = {
  region: string("The region of the keys (a key ARN's own region wins). Default: ALIBABA_CLOUD_REGION_ID, ALIBABA_CLOUD_REGION or ALICLOUD_REGION."),
  endpoint: string("KMS's endpoint, e.g. https://kms-vpc.cn-hangzhou.aliyuncs.com or an emulator's http://127.0.0.1:18080. Default: kms.<region>.aliyuncs.com over HTTPS, or ALIBABA_CLOUD_KMS_ENDPOINT."),
  endpoints: string("Per-region endpoints for recipients in several regions: a JSON object of region → endpoint."),
  protocol: string("`https` (default) or `http` (an emulator, with an explicit endpoint)."),
  encryptLocally: boolean("The default of every value's `encryptLocally`."),
  accessKey: string("An AccessKey ID. Default: ALIBABA_CLOUD_ACCESS_KEY_ID or ALICLOUD_ACCESS_KEY, then the credentials default chain."),
  secretKey: string("The AccessKey secret, with `accessKey`. Set it as a secret.", { secret: true }),
  securityToken: string("An STS token, with `accessKey` and `secretKey`.", { secret: true }),
  profile: string("A profile of the Alibaba Cloud CLI's credentials file."),
  integrityKey: string("Optional: the stack's integrity key, base64 of 32 random bytes (`openssl rand -base64 32`), set as a secret. " +
    "Each value's ciphertexts in state are tagged under a key derived from it, so an edited state is re-encrypted at the next up; " +
    "without it, each value keeps a random root of its own, as a secret among its inputs, in its place.", { secret: true }),
};

/** The schema, for a plugin of `version` (the generated SDKs pin it). */
export function schema(version: string): Record<string, unknown> {
  return {
    name: PACKAGE,
    displayName: "Alibaba Cloud KMS encrypted values",
    version,
    description: "Secrets encrypted by Alibaba Cloud KMS at deploy time: state keeps only the ciphertext.",
    keywords: ["pulumi", "alicloud", "kms", "secrets", "category/utility", "kind/native"],
    homepage: "https://github.com/pulumi-alicloud-kms-encrypted/pulumi-alicloud-kms-encrypted",
    repository: "https://github.com/pulumi-alicloud-kms-encrypted/pulumi-alicloud-kms-encrypted",
    license: "Apache-2.0",
    publisher: "pulumi-alicloud-kms-encrypted",
    pluginDownloadURL: "github://api.github.com/pulumi-alicloud-kms-encrypted/pulumi-alicloud-kms-encrypted",
    config: { variables: CONFIG },
    provider: { description: "The provider of alicloud-kms resources.", inputProperties: CONFIG },
    types: {
      [`${PACKAGE}:index:Recipient`]: {
        type: "object",
        description: "One recipient of a value with several: a key or a certificate, each in its own region.",
        properties: {
          keyId: string("A key ID, `alias/<name>`, or an ARN `acs:kms:<region>:<account>:key/<id>` (its region is the recipient's)."),
          certificateId: string("A KMS-managed certificate (instead of keyId)."),
          algorithm: string(ALGORITHM),
          keyVersionId: string("Pin a key version; omitted, the key's primary version."),
          encryptionContext: stringMap(CONTEXT),
        },
      },
      [`${PACKAGE}:index:ResolvedRecipient`]: {
        type: "object",
        description: "A recipient as resolved (\"\" where a field does not apply).",
        properties: {
          keyId: string("The key's own ID (aliases and ARNs resolved); \"\" for a certificate."),
          keyVersionId: string("The key version its data key was wrapped under; \"\" for a certificate."),
          certificateId: string("The certificate; \"\" for a key."),
          kmsInstanceId: string("The KMS instance (`kst-…`) the key lives in; \"\" outside one."),
          algorithm: string("The algorithm that wrapped the data key."),
          keySpec: string("The key or certificate spec, e.g. RSA_2048 or Aliyun_SM4."),
          region: string("The region whose KMS wrapped the data key (and decrypts it)."),
          encryptionContext: stringMap("A symmetric key's encryption context; {} for none."),
        },
        required: ["keyId", "keyVersionId", "certificateId", "kmsInstanceId", "algorithm", "keySpec", "region", "encryptionContext"],
      },
    },
    resources: {
      [TOKENS.value]: encryptedValue(), [TOKENS.values]: encryptedValues(), [TOKENS.password]: encryptedRandomPassword(),
    },
    language: {
      nodejs: { packageName: "@pulumi-alicloud-kms-encrypted/alicloud-kms", dependencies: { "@pulumi/pulumi": "^3.139.0" } },
      // respectSchemaVersion: the SDKs carry the plugin's version, so the engine uses that plugin.
      python: { packageName: "pulumi_alicloud_kms", pyproject: { enabled: true }, respectSchemaVersion: true },
      go: {
        importBasePath: "github.com/pulumi-alicloud-kms-encrypted/pulumi-alicloud-kms-encrypted/sdk/go/alicloudkms",
        generateResourceContainerTypes: true, respectSchemaVersion: true,
      },
      csharp: { rootNamespace: "PulumiAlicloudKmsEncrypted", packageReferences: { Pulumi: "3.*" } },
    },
  };
}

/** The schema as GetSchema answers it. */
export function schemaText(version: string): string {
  return JSON.stringify(schema(version), null, 2);
}
