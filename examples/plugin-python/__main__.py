"""Secrets encrypted by Alibaba Cloud KMS at deploy time, on the alicloud-kms resource plugin."""
import pulumi
import pulumi_alicloud_kms as kms

config = pulumi.Config()

# One secret under an asymmetric key: state keeps the ciphertext and its envelope, nothing else.
db_password = kms.EncryptedValue(
    "db-password",
    plaintext=config.require_secret("dbPassword"),
    key_id=config.get("keyId") or "alias/rsa-2048",
)

# Several under a symmetric key: each ciphertext is what kmsEncryptedPassword and any KMS client Decrypt.
app_secrets = kms.EncryptedValues(
    "app-secrets",
    plaintexts={
        "db": config.require_secret("dbPassword"),
        "api": config.require_secret("apiToken"),
    },
    key_id=config.get("symmetricKeyId") or "alias/aes-256",
)

# A password no one ever sees: drawn by the provider, encrypted at once, for kmsEncryptedPassword.
app_password = kms.EncryptedRandomPassword(
    "app-password",
    length=24,
    min_special=2,
    key_id=config.get("symmetricKeyId") or "alias/aes-256",
)

pulumi.export("envelope", db_password.envelope)
pulumi.export("ciphertextBlob", db_password.ciphertext_blob)
pulumi.export("keyVersionId", db_password.key_version_id)
pulumi.export("appEnvelopes", app_secrets.envelopes)
pulumi.export("appCiphertexts", app_secrets.ciphertexts)
pulumi.export("passwordEnvelope", app_password.envelope)
