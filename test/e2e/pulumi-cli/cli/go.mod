// Builds the Pulumi CLI from the Go module proxy (see ../../pulumi-bin.ts). pkg/v3's own go.mod
// points sdk/v3 at ../sdk with a replace directive, so `go install pkg@version` cannot work: this
// module requires both at the version of @pulumi/pulumi in package-lock.json and repeats the
// replace it needs.
module kms-encrypted.test/pulumi-cli

go 1.25.11

require (
	github.com/pulumi/pulumi/pkg/v3 v3.248.0
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
