import { asymmetricDecrypt } from "./asymmetric-decrypt";
import { asymmetricEncrypt } from "./asymmetric-encrypt";
import { cancelKeyDeletion } from "./cancel-key-deletion";
import { certificatePrivateKeyDecrypt } from "./certificate-private-key-decrypt";
import { certificatePublicKeyEncrypt } from "./certificate-public-key-encrypt";
import { createAlias } from "./create-alias";
import { createKey } from "./create-key";
import { createKeyVersion } from "./create-key-version";
import { decrypt } from "./decrypt";
import { describeCertificate } from "./describe-certificate";
import { describeKey } from "./describe-key";
import { describeKeyVersion } from "./describe-key-version";
import { disableKey } from "./disable-key";
import { enableKey } from "./enable-key";
import { encrypt } from "./encrypt";
import { generateDataKey } from "./generate-data-key";
import { reEncrypt } from "./re-encrypt";
import { getCertificate } from "./get-certificate";
import { getPublicKey } from "./get-public-key";
import { listAliases } from "./list-aliases";
import { listKeyVersions } from "./list-key-versions";
import { listKeys } from "./list-keys";
import type { Operation } from "./operation";
import { scheduleKeyDeletion } from "./schedule-key-deletion";
import { updateAlias } from "./update-alias";

export const operations: ReadonlyMap<string, Operation> = new Map(
  [
    asymmetricEncrypt,
    asymmetricDecrypt,
    encrypt,
    decrypt,
    generateDataKey,
    reEncrypt,
    getPublicKey,
    describeKey,
    listKeys,
    listKeyVersions,
    describeKeyVersion,
    createKey,
    createKeyVersion,
    createAlias,
    updateAlias,
    listAliases,
    enableKey,
    disableKey,
    scheduleKeyDeletion,
    cancelKeyDeletion,
    certificatePublicKeyEncrypt,
    certificatePrivateKeyDecrypt,
    describeCertificate,
    getCertificate,
  ].map((operation) => [operation.action, operation]),
);
