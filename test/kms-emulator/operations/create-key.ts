import { errors } from "../errors";
import { isKeySpec, isKeyUsage, keySpecFacts } from "../keys/key-spec";
import { keyMetadata } from "./common";
import type { Operation } from "./operation";

export const createKey: Operation = {
  action: "CreateKey",
  prepare({ store, params, behaviour }) {
    const keySpec = params.KeySpec || "Aliyun_AES_256";
    if (!isKeySpec(keySpec))
      throw errors.invalidParameter("KeySpec", `${keySpec} is not a supported key spec.`);
    const keyUsage = params.KeyUsage || "ENCRYPT/DECRYPT";
    if (!isKeyUsage(keyUsage) || !keySpecFacts[keySpec].usages.includes(keyUsage)) {
      throw errors.invalidParameter("KeyUsage", `${keyUsage} is not valid for ${keySpec}.`);
    }
    const protectionLevel = params.ProtectionLevel || "SOFTWARE";
    if (protectionLevel !== "SOFTWARE" && protectionLevel !== "HSM") {
      throw errors.invalidParameter("ProtectionLevel", "It must be SOFTWARE or HSM.");
    }
    const description = params.Description ?? "";
    const kmsInstanceId = params.DKMSInstanceId || undefined;
    return () => {
      const instance = kmsInstanceId ? { kmsInstanceId } : {};
      const key = store.createKey({ keySpec, keyUsage, protectionLevel, description, ...instance });
      return { KeyMetadata: keyMetadata(store, key, behaviour) };
    };
  },
};
