// Drives a KMS endpoint (the emulator, in npm test) with Alibaba Cloud's official Go SDK,
// github.com/alibabacloud-go/kms-20160120/v3, through its typed methods: every operation the
// provider and decrypt() use. Each answer must parse into the SDK's own models. Reads a JSON
// request on stdin, writes one JSON object per operation on stdout. The caller asserts.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	kms "github.com/alibabacloud-go/kms-20160120/v3/client"
	"github.com/alibabacloud-go/tea/tea"
)

type request struct {
	Endpoint        string `json:"endpoint"` // host:port
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
	// "v1" (HMAC-SHA1 in the query), "ACS3-HMAC-SHA256" or "ACS3-HMAC-SM3" (header-signed).
	Signature     string `json:"signature"`
	RsaKeyID      string `json:"rsaKeyId"`
	Sm2KeyID      string `json:"sm2KeyId"`
	CertificateID string `json:"certificateId"`
}

type result struct {
	Op     string            `json:"op"`
	Fields map[string]string `json:"fields,omitempty"`
	Code   string            `json:"code,omitempty"`
	Status int               `json:"status,omitempty"`
	Error  string            `json:"error,omitempty"`
}

var out = json.NewEncoder(os.Stdout)

func emit(op string, fields map[string]string, err error) {
	r := result{Op: op, Fields: fields}
	if err != nil {
		if e, ok := err.(*tea.SDKError); ok {
			r.Code = tea.StringValue(e.Code)
			r.Status = tea.IntValue(e.StatusCode)
		} else {
			r.Error = err.Error()
		}
	}
	_ = out.Encode(r)
}

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fmt.Fprintln(os.Stderr, "bad request:", err)
		os.Exit(2)
	}
	config := &openapi.Config{
		AccessKeyId:     tea.String(req.AccessKeyID),
		AccessKeySecret: tea.String(req.AccessKeySecret),
		Endpoint:        tea.String(req.Endpoint),
		Protocol:        tea.String("http"),
		RegionId:        tea.String("cn-hangzhou"),
	}
	if req.Signature == "v1" {
		config.SignatureAlgorithm = tea.String("v2") // the SDK's name for its RPC (v1 HMAC-SHA1) signer
	} else {
		config.SignatureAlgorithm = tea.String(req.Signature)
	}
	client, err := kms.NewClient(config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(2)
	}

	key, err := client.DescribeKey(&kms.DescribeKeyRequest{KeyId: tea.String(req.RsaKeyID)})
	fields := map[string]string{}
	if err == nil {
		m := key.Body.KeyMetadata
		fields = map[string]string{"KeyId": tea.StringValue(m.KeyId), "KeySpec": tea.StringValue(m.KeySpec), "KeyState": tea.StringValue(m.KeyState),
			"PrimaryKeyVersion": tea.StringValue(m.PrimaryKeyVersion), "DKMSInstanceId": tea.StringValue(m.DKMSInstanceId)}
	}
	emit("DescribeKey", fields, err)

	versions, err := client.ListKeyVersions(&kms.ListKeyVersionsRequest{KeyId: tea.String(req.RsaKeyID), PageSize: tea.Int32(100)})
	version := ""
	if err == nil && len(versions.Body.KeyVersions.KeyVersion) > 0 {
		last := versions.Body.KeyVersions.KeyVersion[len(versions.Body.KeyVersions.KeyVersion)-1]
		version = tea.StringValue(last.KeyVersionId)
		emit("ListKeyVersions", map[string]string{"TotalCount": fmt.Sprint(tea.Int32Value(versions.Body.TotalCount)), "KeyVersionId": version,
			"CreationDate": tea.StringValue(last.CreationDate)}, nil)
	} else {
		emit("ListKeyVersions", nil, err)
	}

	described, err := client.DescribeKeyVersion(&kms.DescribeKeyVersionRequest{KeyId: tea.String(req.RsaKeyID), KeyVersionId: tea.String(version)})
	fields = nil
	if err == nil {
		fields = map[string]string{"KeyVersionId": tea.StringValue(described.Body.KeyVersion.KeyVersionId)}
	}
	emit("DescribeKeyVersion", fields, err)

	_, err = client.DescribeKeyVersion(&kms.DescribeKeyVersionRequest{KeyId: tea.String(req.RsaKeyID), KeyVersionId: tea.String("00000000-0000-0000-0000-000000000000")})
	emit("DescribeKeyVersion unknown", nil, err)

	public, err := client.GetPublicKey(&kms.GetPublicKeyRequest{KeyId: tea.String(req.RsaKeyID), KeyVersionId: tea.String(version)})
	fields = nil
	if err == nil {
		fields = map[string]string{"PublicKey": tea.StringValue(public.Body.PublicKey)}
	}
	emit("GetPublicKey", fields, err)

	plaintext := base64.StdEncoding.EncodeToString([]byte("official go sdk"))
	_, err = client.AsymmetricEncrypt(&kms.AsymmetricEncryptRequest{KeyId: tea.String(req.RsaKeyID), KeyVersionId: tea.String(version),
		Algorithm: tea.String("RSAES_OAEP_SHA_256"), Plaintext: tea.String(plaintext), DryRun: tea.String("true")})
	emit("AsymmetricEncrypt DryRun", nil, err)

	for _, k := range []struct{ op, keyID, algorithm string }{{"RSA", req.RsaKeyID, "RSAES_OAEP_SHA_256"}, {"SM2", req.Sm2KeyID, "SM2PKE"}} {
		v := version
		if k.keyID != req.RsaKeyID {
			list, listErr := client.ListKeyVersions(&kms.ListKeyVersionsRequest{KeyId: tea.String(k.keyID)})
			if listErr != nil || len(list.Body.KeyVersions.KeyVersion) == 0 {
				emit("AsymmetricEncrypt "+k.op, nil, listErr)
				continue
			}
			v = tea.StringValue(list.Body.KeyVersions.KeyVersion[len(list.Body.KeyVersions.KeyVersion)-1].KeyVersionId)
		}
		encrypted, encErr := client.AsymmetricEncrypt(&kms.AsymmetricEncryptRequest{KeyId: tea.String(k.keyID), KeyVersionId: tea.String(v),
			Algorithm: tea.String(k.algorithm), Plaintext: tea.String(plaintext)})
		if encErr != nil {
			emit("AsymmetricEncrypt "+k.op, nil, encErr)
			continue
		}
		emit("AsymmetricEncrypt "+k.op, map[string]string{"KeyId": tea.StringValue(encrypted.Body.KeyId), "KeyVersionId": tea.StringValue(encrypted.Body.KeyVersionId)}, nil)
		decrypted, decErr := client.AsymmetricDecrypt(&kms.AsymmetricDecryptRequest{KeyId: tea.String(k.keyID), KeyVersionId: tea.String(v),
			Algorithm: tea.String(k.algorithm), CiphertextBlob: encrypted.Body.CiphertextBlob})
		fields = nil
		if decErr == nil {
			fields = map[string]string{"Plaintext": tea.StringValue(decrypted.Body.Plaintext)}
		}
		emit("AsymmetricDecrypt "+k.op, fields, decErr)
	}

	certificate, err := client.DescribeCertificate(&kms.DescribeCertificateRequest{CertificateId: tea.String(req.CertificateID)})
	fields = nil
	if err == nil {
		b := certificate.Body
		fields = map[string]string{"KeySpec": tea.StringValue(b.KeySpec), "Status": tea.StringValue(b.Status), "SignatureAlgorithm": tea.StringValue(b.SignatureAlgorithm),
			"SubjectKeyIdentifier": tea.StringValue(b.SubjectKeyIdentifier), "SubjectPublicKey": tea.StringValue(b.SubjectPublicKey)}
	}
	emit("DescribeCertificate", fields, err)

	sealed, err := client.CertificatePublicKeyEncrypt(&kms.CertificatePublicKeyEncryptRequest{CertificateId: tea.String(req.CertificateID),
		Algorithm: tea.String("RSAES_OAEP_SHA_256"), Plaintext: tea.String(plaintext)})
	emit("CertificatePublicKeyEncrypt", nil, err)
	if err == nil {
		opened, openErr := client.CertificatePrivateKeyDecrypt(&kms.CertificatePrivateKeyDecryptRequest{CertificateId: tea.String(req.CertificateID),
			Algorithm: tea.String("RSAES_OAEP_SHA_256"), CiphertextBlob: sealed.Body.CiphertextBlob})
		fields = nil
		if openErr == nil {
			fields = map[string]string{"Plaintext": tea.StringValue(opened.Body.Plaintext)}
		}
		emit("CertificatePrivateKeyDecrypt", fields, openErr)
	}
}
