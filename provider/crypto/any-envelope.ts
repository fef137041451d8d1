import { type Envelope, envelopeBytes, formatEnvelope, jsonOf, parseEnvelopeJson } from "./envelope-format";
import { formatRecipientsEnvelope, parseRecipientsJson, type RecipientsEnvelope } from "./recipients-envelope";
import { formatSdkMessage, isSdkMessage, looksLikeSdkMessage, parseSdkMessage, type SdkMessage } from "./encryption-sdk-message";

// What decrypt() and the CLI read: an envelope of one key or certificate (versions 1 and 2), of
// several recipients (version 3), or Alibaba's Encryption SDK message (base64 of its DER).

export type AnyEnvelope = Envelope | RecipientsEnvelope | SdkMessage;

/** Envelopes opened through any one of their recipients' KMS: version 3, and Encryption SDK messages. */
export type MultiRecipientEnvelope = RecipientsEnvelope | SdkMessage;

export function readEnvelope(text: string): AnyEnvelope {
  const bytes = envelopeBytes(text);
  if (looksLikeSdkMessage(bytes)) return parseSdkMessage(bytes);
  const json = jsonOf(bytes);
  return json.v === 3 ? parseRecipientsJson(json) : parseEnvelopeJson(json);
}

export function hasRecipients(e: AnyEnvelope): e is MultiRecipientEnvelope {
  return isSdkMessage(e) || e.version === 3;
}

export function formatAnyEnvelope(e: AnyEnvelope): string {
  if (isSdkMessage(e)) return formatSdkMessage(e).toString("base64");
  return e.version === 3 ? formatRecipientsEnvelope(e) : formatEnvelope(e);
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
