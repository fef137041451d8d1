import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "../../sdk";
import { TYPE } from "./engine-steps";

// The `__provider` string exactly as the SDK's own serializer writes it for an EncryptedValue:
// a mocked program registers one, and the mock sees what the engine would receive.

export async function serializedProvider(): Promise<string> {
  let resolveBlob: (blob: string) => void;
  const blob = new Promise<string>((r) => (resolveBlob = r));
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === TYPE && typeof args.inputs.__provider === "string") resolveBlob(args.inputs.__provider);
        return { id: `${args.name}-id`, state: {} };
      },
      call: () => ({}),
    },
    "kms-test",
    "dev",
    true,
  );
  new EncryptedValue("serializer-probe", { plaintext: "probe", keyId: "alias/probe" });
  return blob;
}
