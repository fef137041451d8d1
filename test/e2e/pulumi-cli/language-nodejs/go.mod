// Builds the Node.js language host. Its own module (sdk/nodejs/cmd/pulumi-language-nodejs/v3) is
// refused by the module proxy here (403 at every version); the last sdk/v3 the proxy serves that
// still carries the host inside it is v3.68.0. The host only starts @pulumi/pulumi's own
// cmd/run, so the program still runs on the SDK in package-lock.json (see README).
module kms-encrypted.test/pulumi-language-nodejs

go 1.24

require github.com/pulumi/pulumi/sdk/v3 v3.68.0

replace golang.org/x/text => golang.org/x/text v0.3.6
