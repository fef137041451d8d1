// gen-sdk writes the plugin's SDKs from its schema with Pulumi's own generators (pkg/v3/codegen),
// which `pulumi package gen-sdk` would reach through language hosts the module proxy here refuses.
//
//	go run . <schema.json> <out dir>   writes <out dir>/python and <out dir>/go
//
// .NET's generator is not in pkg/v3 (it lives with the .NET language host), so no .NET SDK here.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/blang/semver"
)

// The name the generators put in each file's "do not edit" header.
const tool = "alicloud-kms gen-sdk"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk <schema.json> <out dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string) error {
	text, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(text, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// Each generator takes the package bound afresh: binding records the languages it imports.
	bind := func() (*schema.Package, error) {
		pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
		if err != nil {
			return nil, err
		}
		if diags.HasErrors() {
			return nil, diags
		}
		return pkg, nil
	}
	pkg, err := bind()
	if err != nil {
		return err
	}
	pyFiles, err := python.GeneratePackage(tool, pkg, nil, noReferences{})
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	if pkg, err = bind(); err != nil {
		return err
	}
	goFiles, err := gogen.GeneratePackage(tool, pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	if err := write(filepath.Join(out, "python"), pyFiles); err != nil {
		return err
	}
	return write(filepath.Join(out, "go"), goFiles)
}

// noReferences loads no other package: the schema references none (it would be a bug if it did).
type noReferences struct{}

func (noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %s, which this generator does not load", name)
}

func (n noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return n.LoadPackage(d.Name, nil)
}

func (n noReferences) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	_, err := n.LoadPackage(name, v)
	return nil, err
}

func (n noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return n.LoadPackageReference(d.Name, nil)
}

func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
