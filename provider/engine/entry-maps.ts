import { kmsCiphertextOf } from "../crypto/any-envelope";
import { envelopeOfCiphertext, EnvelopeFormatError, type TargetOutputs } from "../crypto/envelope-format";
import { printable } from "../kms/identifiers";

// EncryptedValues' two output maps. State keeps each entry once (the ciphertext, or with envelope
// encryption the envelope); the other map follows from it and the target's outputs. The TypeScript
// SDK derives it in the program; a generated SDK runs no code of ours, so the plugin's provider
// returns both (EncryptedValuesProvider's bothMaps option). The same holds for one EncryptedValue
// KMS encrypted directly: state keeps its ciphertext, and its envelope follows (envelopeOfOutputs).

/**
 * One output map as state keeps it: the entries, or for the map it does not keep `""` (present, so
 * that a preview of a map that stays resolves it known; absent, as 0.2 left it, it previews unknown).
 */
export type StoredMap = Record<string, string> | "" | undefined;

/** The map state does not keep, for the map it does: "" in its place (see StoredMap). */
export const DERIVED_MAP = "";

/**
 * Both output maps from the one state keeps (`ciphertexts`, or `envelopes` with envelope
 * encryption) and the target's outputs.
 */
export function entryMaps(ciphertexts: StoredMap, envelopes: StoredMap, t: TargetOutputs): Record<"ciphertexts" | "envelopes", Record<string, string>> {
  return {
    ciphertexts: kept(ciphertexts) ?? mapEntries(kept(envelopes), kmsCiphertextOf),
    envelopes: kept(envelopes) ?? mapEntries(kept(ciphertexts), (ciphertext) => envelopeOfCiphertext(t, ciphertext)),
  };
}

const kept = (map: StoredMap) => (map === DERIVED_MAP ? undefined : map);

function mapEntries(map: Record<string, string> | undefined, f: (value: string) => string): Record<string, string> {
  // State is read back from a file anyone with write access to the backend could have edited.
  return Object.fromEntries(Object.entries(map ?? {}).map(([name, value]) => {
    if (typeof value !== "string") throw new EnvelopeFormatError(`the state of entry ${printable(name)} is not a string; run pulumi up to re-encrypt it`);
    return [name, f(value)];
  }));
}

/**
 * A value's envelope from its outputs: the one they hold, or for a directly encrypted value whose
 * state keeps none (`""`), the one its ciphertext and target give back, byte for byte what
 * encryptValue made. The dynamic provider stores "" for an envelope those outputs give back
 * (EncryptedValueProvider); the SDK's EncryptedValue and readers of raw state call this. Throws
 * when there is neither an envelope nor a ciphertext and a target an envelope can name.
 */
export function envelopeOfOutputs(outputs: Readonly<Record<string, unknown>>): string {
  const { envelope, ciphertextBlob } = outputs;
  if (typeof envelope === "string" && envelope !== "") return envelope;
  if (typeof ciphertextBlob !== "string") throw new EnvelopeFormatError("the value's state has no ciphertext; run pulumi up to re-encrypt it");
  return envelopeOfCiphertext(outputs as unknown as TargetOutputs, ciphertextBlob);
}
