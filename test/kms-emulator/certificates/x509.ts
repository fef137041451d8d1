import { createHash, randomBytes, sign, X509Certificate } from "node:crypto";
import {
  bitString,
  boolean,
  nullValue,
  explicit,
  objectIdentifier,
  octetString,
  printableString,
  readChildren,
  readOnly,
  sequence,
  set,
  TAG,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from "../der";
import type { AsymmetricKey } from "../keys/key-material";
import type { CertificateKeySpec } from "../keys/key-spec";
import { toPem } from "../keys/pem";
import { sm2Sign } from "../keys/sm2";
import { isoNow } from "../store/records";

// Self-signed X.509 v3 certificates and PKCS#10 CSRs, built in DER and signed with the
// certificate's own key, so that `openssl x509` and node's X509Certificate read them as real.

interface SignatureScheme {
  oid: string;
  name: string;
  /** RSA's AlgorithmIdentifier carries an explicit NULL parameter; ECDSA's and SM2's carry none. */
  nullParameter: boolean;
  sign(key: AsymmetricKey, data: Buffer): Buffer;
}

function nodeSign(key: AsymmetricKey, data: Buffer): Buffer {
  if (key.kind !== "node") throw new Error("not an RSA or ECDSA key");
  return sign("sha256", data, key.privateKey);
}

const sha256WithRsa: SignatureScheme = {
  oid: "1.2.840.113549.1.1.11",
  name: "SHA256WithRSA",
  nullParameter: true,
  sign: nodeSign,
};
const ecdsaWithSha256: SignatureScheme = {
  oid: "1.2.840.10045.4.3.2",
  name: "SHA256WithECDSA",
  nullParameter: false,
  sign: nodeSign,
};
/** SM2 signature with SM3 and the default distinguishing ID (GM/T 0009). */
const sm2WithSm3: SignatureScheme = {
  oid: "1.2.156.10197.1.501",
  name: "SM3WithSM2",
  nullParameter: false,
  sign: (key, data) => {
    if (key.kind !== "sm2") throw new Error("not an SM2 key");
    return sm2Sign(key.sm2, data);
  },
};

const schemeFor: Record<CertificateKeySpec, SignatureScheme> = {
  RSA_2048: sha256WithRsa,
  EC_P256: ecdsaWithSha256,
  EC_SM2: sm2WithSm3,
};

const attributeOids: Record<string, string> = {
  CN: "2.5.4.3",
  C: "2.5.4.6",
  L: "2.5.4.7",
  ST: "2.5.4.8",
  O: "2.5.4.10",
  OU: "2.5.4.11",
};

/** `CN=app, O=Example, C=CN` → an X.501 Name (no escaped commas: the emulator's subjects are simple). */
export function encodeName(subject: string): Buffer {
  const rdns = subject
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      const type = part.slice(0, eq).trim().toUpperCase();
      const value = part.slice(eq + 1).trim();
      const oid = attributeOids[type];
      if (eq <= 0 || !oid || value === "") throw new Error(`unsupported subject attribute "${part}"`);
      const encodedValue = type === "C" ? printableString(value) : utf8String(value);
      return set(sequence(objectIdentifier(oid), encodedValue));
    });
  if (rdns.length === 0) throw new Error("the subject is empty");
  return sequence(...rdns);
}

function algorithmIdentifier(scheme: SignatureScheme): Buffer {
  return scheme.nullParameter
    ? sequence(objectIdentifier(scheme.oid), nullValue())
    : sequence(objectIdentifier(scheme.oid));
}

function signed(body: Buffer, scheme: SignatureScheme, key: AsymmetricKey): Buffer {
  return sequence(
    body,
    algorithmIdentifier(scheme),
    bitString(scheme.sign(key, body)),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), boolean(critical), octetString(value));
}

export interface IssueOptions {
  key: AsymmetricKey;
  keySpec: CertificateKeySpec;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

/** A self-signed end-entity certificate for `key`, and the CSR that requested it. */
export function issueSelfSigned(options: IssueOptions): { certificatePem: string; csrPem: string } {
  const scheme = schemeFor[options.keySpec];
  const name = encodeName(options.subject);
  const spki = options.key.spki;
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x40; // positive, and a full 16 bytes long
  // keyUsage: digitalSignature, keyEncipherment, dataEncipherment (bits 0, 2, 3 → 0xB0, 4 unused bits).
  const keyUsage = tlv(TAG.BIT_STRING, Buffer.from([4, 0xb0]));
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(serial),
    algorithmIdentifier(scheme),
    name,
    sequence(time(options.notBefore), time(options.notAfter)),
    name,
    spki,
    explicit(3, sequence(extension("2.5.29.19", true, sequence()), extension("2.5.29.15", true, keyUsage))),
  );
  const requestInfo = sequence(unsignedInteger(Buffer.from([0])), name, spki, tlv(0xa0, Buffer.alloc(0)));
  return {
    certificatePem: toPem("CERTIFICATE", signed(tbs, scheme, options.key)),
    csrPem: toPem("CERTIFICATE REQUEST", signed(requestInfo, scheme, options.key)),
  };
}

export interface CertificateFacts {
  serial: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

/** What DescribeCertificate reports, read back from the certificate itself. */
export function certificateFacts(certificatePem: string): CertificateFacts {
  const certificate = new X509Certificate(certificatePem);
  return {
    serial: certificate.serialNumber.toLowerCase(),
    subject: certificate.subject.split("\n").join(", "),
    issuer: certificate.issuer.split("\n").join(", "),
    notBefore: isoNow(new Date(certificate.validFrom)),
    notAfter: isoNow(new Date(certificate.validTo)),
  };
}

/** The certificate's SubjectPublicKeyInfo, read from its DER (node cannot export SM2 keys safely). */
/**
 * RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value (without the
 * unused-bits byte), hex. What DescribeCertificate reports as SubjectKeyIdentifier.
 */
export function subjectKeyIdentifier(certificatePem: string): string {
  const [, bits] = readChildren(readOnly(certifiedSpki(certificatePem)));
  if (!bits) throw new Error("not a SubjectPublicKeyInfo");
  return createHash("sha1").update(bits.content.subarray(1)).digest("hex");
}

export function certifiedSpki(certificatePem: string): Buffer {
  const [tbs] = readChildren(readOnly(new X509Certificate(certificatePem).raw));
  const fields = tbs ? readChildren(tbs) : [];
  // With the explicit [0] version field first, the SubjectPublicKeyInfo is the 7th field, else the 6th.
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
  if (!spki) throw new Error("not an X.509 certificate");
  return spki.encoded;
}
