// AES-GCM and SM4-GCM independent of the emulator's, driving ../../kms-emulator/symmetric.test.ts.
// Built like the official Go SDK check: from the Go module proxy, pinned in go.sum, cached outside the repository.
module kms-encrypted.test/independent-crypto

go 1.25.11

require github.com/emmansun/gmsm v0.15.5

require golang.org/x/sys v0.3.0 // indirect
