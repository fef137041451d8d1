import { textPlaintextWithin } from "./common";
import type { Operation } from "./operation";
import { symmetricSealer } from "./symmetric-seal";

/** Encrypt's documented limit: "6 KB" of plaintext (an older page: 4 KB), counted in UTF-8 bytes. */
export const SYMMETRIC_PLAINTEXT_LIMIT = 6144;

/**
 * Plaintext is an opaque string: its UTF-8 bytes are sealed and Decrypt returns the same string
 * (never a base64 decoding of it; see ../shared/kms-api.md).
 */
export const encrypt: Operation = {
  action: "Encrypt",
  acceptsDryRun: true,
  prepare(context) {
    const sealer = symmetricSealer(context);
    const plaintext = textPlaintextWithin(context.params, SYMMETRIC_PLAINTEXT_LIMIT);
    return () => sealer.seal(plaintext);
  },
};
