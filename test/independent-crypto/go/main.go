// An implementation of AES-256-GCM and SM4-GCM independent of the emulator's (Node's OpenSSL and
// its own GHASH): Go's crypto/cipher GCM over crypto/aes and over github.com/emmansun/gmsm/sm4,
// built from the Go module proxy. Reads one JSON request per line on stdin and answers one JSON
// line each. The tests check the emulator's Encrypt/Decrypt against it in both directions.
package main

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/emmansun/gmsm/sm4"
)

type request struct {
	Op         string `json:"op"` // "seal" or "open"
	Cipher     string `json:"cipher"`
	Key        string `json:"key"`
	IV         string `json:"iv"`
	AAD        string `json:"aad"`
	Plaintext  string `json:"plaintext,omitempty"`
	Ciphertext string `json:"ciphertext,omitempty"` // ciphertext ‖ tag, as Go's GCM writes it
}

type answer struct {
	Plaintext  string `json:"plaintext,omitempty"`
	Ciphertext string `json:"ciphertext,omitempty"`
	Error      string `json:"error,omitempty"`
}

func b64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func serve(r request) answer {
	var block cipher.Block
	var err error
	switch r.Cipher {
	case "AES_256_GCM":
		block, err = aes.NewCipher(b64(r.Key))
	case "SM4_GCM":
		block, err = sm4.NewCipher(b64(r.Key))
	default:
		err = fmt.Errorf("unknown cipher %q", r.Cipher)
	}
	if err != nil {
		return answer{Error: err.Error()}
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return answer{Error: err.Error()}
	}
	switch r.Op {
	case "seal":
		out := gcm.Seal(nil, b64(r.IV), b64(r.Plaintext), b64(r.AAD))
		return answer{Ciphertext: base64.StdEncoding.EncodeToString(out)}
	case "open":
		out, err := gcm.Open(nil, b64(r.IV), b64(r.Ciphertext), b64(r.AAD))
		if err != nil {
			return answer{Error: "authentication failed"}
		}
		return answer{Plaintext: base64.StdEncoding.EncodeToString(out)}
	}
	return answer{Error: fmt.Sprintf("unknown op %q", r.Op)}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var r request
		if err := json.Unmarshal(in.Bytes(), &r); err != nil {
			_ = out.Encode(answer{Error: err.Error()})
			continue
		}
		_ = out.Encode(serve(r))
	}
}
