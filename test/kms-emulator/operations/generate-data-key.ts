import { randomBytes } from "node:crypto";
import { errors } from "../errors";
import { integer } from "./common";
import type { Operation } from "./operation";
import { symmetricSealer } from "./symmetric-seal";

const KEY_SPEC_BYTES: Record<string, number> = { AES_256: 32, AES_128: 16 };

/**
 * A fresh data key: Plaintext is its base64, and CiphertextBlob is that base64 string encrypted as
 * Encrypt would, so Decrypt returns the same base64 text (what Alibaba's Encryption SDK decodes).
 * KeySpec AES_256 (default) or AES_128, or NumberOfBytes 1–1024.
 */
export const generateDataKey: Operation = {
  action: "GenerateDataKey",
  acceptsDryRun: true,
  prepare(context) {
    const { params } = context;
    const sealer = symmetricSealer(context);
    const spec = params.KeySpec;
    if (spec !== undefined && spec !== "" && KEY_SPEC_BYTES[spec] === undefined) {
      throw errors.invalidParameter("KeySpec", "It must be AES_256 or AES_128.");
    }
    const bytes = spec ? KEY_SPEC_BYTES[spec]! : integer(params, "NumberOfBytes", 32, 1, 1024);
    return () => {
      const plaintext = randomBytes(bytes).toString("base64");
      return { ...sealer.seal(Buffer.from(plaintext, "utf8")), Plaintext: plaintext };
    };
  },
};
