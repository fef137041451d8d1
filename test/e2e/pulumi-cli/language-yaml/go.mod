// Builds the YAML language host. pulumi-yaml v1.25.0 is the newest the module proxy serves here that
// builds; it pins its own pkg/v3 (v3.206), whose API it was written against (v3.248's differs).
// It lacks the `Link` call, so `pulumi package add` stops before editing Pulumi.yaml; programs name
// the plugin's resources by their type tokens, which needs no link.
module kms-encrypted.test/pulumi-language-yaml

go 1.24.7

require github.com/pulumi/pulumi-yaml v1.25.0
