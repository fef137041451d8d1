"""The benchmark's program on the resource plugin, in Python: `bench:count` EncryptedValues through KMS."""
import pulumi
import pulumi_alicloud_kms as kms

config = pulumi.Config("bench")
count = config.require_int("count")
key_id = config.require("keyId")
seed = config.require_secret("seed")
changed = config.get_int("changed")

values = [
    kms.EncryptedValue(
        f"value-{i:04d}",
        plaintext=seed.apply(lambda s, i=i: f"{s}-{i}{'-changed' if i == changed else ''}"),
        key_id=key_id,
    )
    for i in range(count)
]
pulumi.export("count", len(values))
