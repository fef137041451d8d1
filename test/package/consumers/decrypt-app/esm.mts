// The same application as an ES module: a named import of the CommonJS entry.
import { decrypt } from "pulumi-alicloud-kms-encrypted/decrypt";

const plaintext = await decrypt(process.env.SECRET_ENVELOPE ?? "");
process.stdout.write(plaintext.toString("utf8"));
