package components

import (
	"fmt"
	"path/filepath"

	"imgcells/components/stackconfig"
	"imgcells/converter/lambdazip"
)

// Artifact is the converter zip the Lambda deploys, with the hash Pulumi compares.
type Artifact = lambdazip.Artifact

// ConverterZipPath is where the program keeps the zip it builds, relative to the module.
const ConverterZipPath = "dist/converter-arm64.zip"

// PackageConverter returns the converter zip to deploy. A prebuilt zip named by
// imgcells:converterZip is used as is (CI builds, hosts without a cross compiler);
// otherwise the zip under moduleDir is rebuilt when missing or stale. The zip is
// byte-identical for identical sources, so its hash, used as the Lambda's
// SourceCodeHash, shows no diff until the converter changes.
func PackageConverter(moduleDir string, cfg stackconfig.Config, logf func(format string, args ...any)) (Artifact, error) {
	if cfg.ConverterZip != "" {
		path := cfg.ConverterZip
		if !filepath.IsAbs(path) {
			path = filepath.Join(moduleDir, path)
		}
		a, err := lambdazip.Read(path)
		if err != nil {
			return Artifact{}, fmt.Errorf("using the prebuilt converter zip named by %s:%s: %w", stackconfig.Namespace, stackconfig.KeyConverterZip, err)
		}
		logf("using the prebuilt converter zip %s (sha256 %s) from %s:%s; unset it to build from source",
			cfg.ConverterZip, a.SHA256, stackconfig.Namespace, stackconfig.KeyConverterZip)
		return a, nil
	}
	a, built, err := lambdazip.Ensure(lambdazip.Options{
		ModuleDir: moduleDir,
		Arch:      "arm64",
		OutPath:   filepath.Join(moduleDir, ConverterZipPath),
	})
	if err != nil {
		return Artifact{}, fmt.Errorf("building the converter zip (or set %s:%s to a prebuilt one): %w",
			stackconfig.Namespace, stackconfig.KeyConverterZip, err)
	}
	if built {
		logf("built %s (sha256 %s)", ConverterZipPath, a.SHA256)
	}
	return a, nil
}
