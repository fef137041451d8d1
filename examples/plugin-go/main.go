// Secrets encrypted by Alibaba Cloud KMS at deploy time, on the alicloud-kms resource plugin.
package main

import (
	"github.com/pulumi-alicloud-kms-encrypted/pulumi-alicloud-kms-encrypted/sdk/go/alicloudkms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		keyID := cfg.Get("keyId")
		if keyID == "" {
			keyID = "alias/rsa-2048"
		}
		symmetricKeyID := cfg.Get("symmetricKeyId")
		if symmetricKeyID == "" {
			symmetricKeyID = "alias/aes-256"
		}

		// One secret under an asymmetric key: state keeps the ciphertext and its envelope, nothing else.
		dbPassword, err := alicloudkms.NewEncryptedValue(ctx, "db-password", &alicloudkms.EncryptedValueArgs{
			Plaintext: cfg.RequireSecret("dbPassword"),
			KeyId:     pulumi.String(keyID),
		})
		if err != nil {
			return err
		}

		// Several under a symmetric key: each ciphertext is what kmsEncryptedPassword and any KMS client Decrypt.
		appSecrets, err := alicloudkms.NewEncryptedValues(ctx, "app-secrets", &alicloudkms.EncryptedValuesArgs{
			Plaintexts: pulumi.StringMap{
				"db":  cfg.RequireSecret("dbPassword"),
				"api": cfg.RequireSecret("apiToken"),
			},
			KeyId: pulumi.String(symmetricKeyID),
		})
		if err != nil {
			return err
		}

		// A password no one ever sees: drawn by the provider, encrypted at once, for kmsEncryptedPassword.
		appPassword, err := alicloudkms.NewEncryptedRandomPassword(ctx, "app-password", &alicloudkms.EncryptedRandomPasswordArgs{
			Length:     pulumi.Int(24),
			MinSpecial: pulumi.Int(2),
			KeyId:      pulumi.String(symmetricKeyID),
		})
		if err != nil {
			return err
		}

		ctx.Export("envelope", dbPassword.Envelope)
		ctx.Export("ciphertextBlob", dbPassword.CiphertextBlob)
		ctx.Export("keyVersionId", dbPassword.KeyVersionId)
		ctx.Export("appEnvelopes", appSecrets.Envelopes)
		ctx.Export("appCiphertexts", appSecrets.Ciphertexts)
		ctx.Export("passwordEnvelope", appPassword.Envelope)
		return nil
	})
}
