export const USAGE = `Usage: pulumi-alicloud-kms-encrypted <command> [options]

Commands:
  encrypt (--key-id <id> [--key-version-id <v>] | --certificate-id <id>) [--algorithm <alg>]
          [--encryption-context <k=v>]... [--region <r>] [--envelope] [--local]
          [--format native|encryption-sdk]
          [--in <file|->] [--out <file|->] [--force]
      Encrypts the input's bytes with Alibaba Cloud KMS and writes an envelope (base64 JSON,
      one line), which \`decrypt\` and the package's decrypt() open.
        --key-id           an ENCRYPT/DECRYPT key: ID, alias/<name> or ARN; asymmetric (RSA_2048,
                           RSA_3072, EC_SM2) or symmetric (Aliyun_AES_256, Aliyun_SM4: Encrypt)
        --key-version-id   a version of it (default: the key's primary version; none for a
                           symmetric key, whose version KMS chooses)
        --certificate-id   a KMS-managed certificate instead of a key
        --algorithm        RSAES_OAEP_SHA_256 | RSAES_OAEP_SHA_1 | SM2PKE | SYMMETRIC_DEFAULT
                           (default: RSAES_OAEP_SHA_256 for RSA, SM2PKE for EC_SM2,
                           SYMMETRIC_DEFAULT for symmetric keys)
        --encryption-context  a symmetric key's context pair, key=value (repeatable); not secret,
                           written into the envelope, needed again to decrypt a bare ciphertext
        --region           the key's region (default: a key ARN's, else ALIBABA_CLOUD_REGION_ID)
        --envelope         encrypt any size: AES-256-GCM with a fresh data key, only the data key
                           goes through KMS (without it: at most 190–342 bytes for RSA, 6047 for SM2)
        --local            encrypt in this process with the key's public key (GetPublicKey)
        --format           encryption-sdk: write Alibaba's Encryption SDK message (base64 of its
                           DER), which AliyunCrypto.decrypt opens in Java, Python or Go; symmetric
                           keys only, one --encryption-context for all (envelope encryption
                           implied); native (default): this package's envelope
      With --envelope, --key-id and --certificate-id may each be given more than once: every one
      is a recipient (a key ARN names its region), one data key is wrapped for each, and any one
      opens the value (envelope format v3). Each uses its key's primary version and default
      algorithm; --encryption-context binds the symmetric ones.
  decrypt [--allow-region <r>]... [--allow-key <id>]... [--expect-scope <name> [--expect-entry <e>]]
          [--in <file|->] [--out <file|->] [--force]
  decrypt (--key-id <id> --key-version-id <v> | --certificate-id <id>) --algorithm <alg>
          [--region <r>] [--allow-region <r>]... [--allow-key <id>]... [--in] [--out] [--force]
  decrypt --key-id <id> --algorithm SYMMETRIC_DEFAULT [--encryption-context <k=v>]...
          [--plaintext-encoding text|base64] [--region <r>] [--allow-region <r>]...
          [--allow-key <id>]... [--in] [--out] [--force]
      Decrypts through KMS (AsymmetricDecrypt / CertificatePrivateKeyDecrypt / Decrypt) and writes
      the plaintext bytes. An envelope of several recipients is opened with the first that works
      (the configured region's first, then in order); stderr says which, and why those tried
      before it failed. The input is an envelope, which names its key, version, algorithm and
      region; or, with the flags encrypt takes, a bare ciphertext (the ciphertextBlob output of a
      value without envelope: true), the flags being that value's keyId, keyVersionId (or
      certificateId), algorithm and region outputs.
        --plaintext-encoding  a bare symmetric ciphertext: "text" (default) writes what KMS's
                           Decrypt returns as it is, as every KMS client reads it; "base64"
                           decodes it (ciphertexts of 0.1, or of clients that encrypt base64)
                           and refuses anything that is not strict base64
        --allow-region     refuse an input naming any other region (repeatable)
        --allow-key        refuse an input naming any other key ID, key ARN or certificate ID
                           (repeatable); both are checked before anything is sent to KMS
        --expect-scope     refuse an input not written for the EncryptedValue (or EncryptedValues)
                           of this name; --expect-entry names the entry. Values with envelope
                           encryption (envelope: true, several recipients) bind their scope; a
                           bare symmetric ciphertext only with bindScope (give its
                           --encryption-context); a direct value binds none and is refused:
                           pin its key with --allow-key instead

  --in / --out default to stdin / stdout. --out creates a new file with mode 0600 and refuses an
  existing file or symbolic link; --force replaces it (a new 0600 file renamed over the path, so
  a link is replaced, never written through).

Settings come from the environment, as the provider reads them:
  ALIBABA_CLOUD_REGION_ID (or ALIBABA_CLOUD_REGION, ALICLOUD_REGION; --region wins),
  ALIBABA_CLOUD_KMS_ENDPOINT (e.g. https://kms-vpc.cn-hangzhou.aliyuncs.com from a VPC),
  ALIBABA_CLOUD_KMS_ENDPOINTS (a JSON object of region → endpoint, for recipients in several regions),
  ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (/ ALIBABA_CLOUD_SECURITY_TOKEN),
  ALIBABA_CLOUD_PROFILE, else the @alicloud/credentials default chain.

--version prints the package's version; --help, this.

Exit status: 0 done, 1 KMS or the data refused (the message says why), 2 wrong usage.
`;
