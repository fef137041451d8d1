import { type Envelope, envelopeJson, formatEnvelope, parseEnvelopeJson } from "./envelope-format";
import { formatRecipientsEnvelope, parseRecipientsJson, type RecipientsEnvelope } from "./recipients-envelope";

// What decrypt() and the CLI read: an envelope of one key or certificate (versions 1 and 2), or of
// several recipients (version 3).

export type AnyEnvelope = Envelope | RecipientsEnvelope;

export function readEnvelope(text: string): AnyEnvelope {
  const json = envelopeJson(text);
  return json.v === 3 ? parseRecipientsJson(json) : parseEnvelopeJson(json);
}

export function hasRecipients(e: AnyEnvelope): e is RecipientsEnvelope {
  return e.version === 3;
}

export function formatAnyEnvelope(e: AnyEnvelope): string {
  return hasRecipients(e) ? formatRecipientsEnvelope(e) : formatEnvelope(e);
}

/**
 * What KMS encrypted inside an envelope: the value's ciphertext, or the data key's for envelope
 * encryption (the first recipient's, of several): what `ciphertextBlob` outputs hold.
 */
export function kmsCiphertextOf(envelope: string): string {
  const e = readEnvelope(envelope);
  if (hasRecipients(e)) return e.recipients[0]!.encryptedDataKey;
  return e.encryptedDataKey ?? e.ciphertextBlob;
}
