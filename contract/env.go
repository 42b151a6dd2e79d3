package contract

import (
	"errors"
	"fmt"
	"strconv"
)

// The converter Lambda's environment: components/converterfn.go writes these
// variables, converter/cmd/bootstrap reads them through LoadConverterEnv.
const (
	// EnvRegion is set by Lambda itself: the function's region.
	EnvRegion = "AWS_REGION"
	// EnvFunctionMemory is set by Lambda itself: the function's memory in
	// MB, from which the converter's Budget is derived ("Defined runtime
	// environment variables", AWS Lambda Developer Guide).
	EnvFunctionMemory = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
	// EnvSourceBucket is this region's replica of the source bucket (in the
	// primary region, the main source bucket).
	EnvSourceBucket = "IMGCELLS_SOURCE_BUCKET"
	// EnvPrimarySourceBucket is the main source bucket, read when the replica
	// does not have an original yet.
	EnvPrimarySourceBucket = "IMGCELLS_PRIMARY_SOURCE_BUCKET"
	// EnvPrimaryRegion is the main source bucket's region.
	EnvPrimaryRegion = "IMGCELLS_PRIMARY_REGION"
	// EnvTransformedBucket is this region's bucket of variants.
	EnvTransformedBucket = "IMGCELLS_TRANSFORMED_BUCKET"
	// EnvOriginVerifySecret is the secret CloudFront sends in OriginVerifyHeader.
	EnvOriginVerifySecret = "IMGCELLS_ORIGIN_VERIFY_SECRET"
	// EnvMaxSourceBytes and EnvMaxSourcePixels override the default limits.
	EnvMaxSourceBytes  = "IMGCELLS_MAX_SOURCE_BYTES"
	EnvMaxSourcePixels = "IMGCELLS_MAX_SOURCE_PIXELS"
	// EnvMaxFrames overrides DefaultMaxFrames, the most frames an animation
	// kept animated may have.
	EnvMaxFrames = "IMGCELLS_MAX_FRAMES"
	// EnvS3Endpoint points the converter at an S3-compatible server (tests and
	// the local stack only; never set by the stack).
	EnvS3Endpoint = "IMGCELLS_S3_ENDPOINT"
	// EnvGlibcTunables is read by the C library at process start, not by the
	// bootstrap: the stack sets it to ConverterGlibcTunables.
	EnvGlibcTunables = "GLIBC_TUNABLES"
)

// ConverterGlibcTunables makes glibc's malloc (2.35 and later; the
// bootstrap links Debian's 2.36 statically) ask for transparent huge pages
// on the memory it takes from the kernel (madvise MADV_HUGEPAGE), which
// kernels whose transparent_hugepage mode is "madvise" grant only on
// request. A cold converter touches MBs of fresh memory at its first
// conversion (libjpeg's whole-image coefficient buffer, about 50 MB for a
// 12 MP progressive JPEG, is gone with the row-bands patch, except for the
// files that patch declines): with huge pages that is one fault per 2 MB
// instead of 512,
// and on a virtual machine a fault costs microseconds. Where the mode is
// "never" or "always" glibc does nothing different. The converter advises
// its own large Go buffers the same way (converter/hugepages.go), and its
// libjpeg places its large objects on 2 MB boundaries and advises them
// itself (converter/internal/jpegturbo/patches/huge-pages.patch), with or
// without this setting.
const ConverterGlibcTunables = "glibc.malloc.hugetlb=1"

// ConverterEnv is the converter Lambda's validated environment.
type ConverterEnv struct {
	Region              string
	SourceBucket        string
	PrimarySourceBucket string
	PrimaryRegion       string
	TransformedBucket   string
	OriginVerifySecret  string
	MaxSourceBytes      int64 // DefaultMaxSourceBytes when unset
	MaxSourcePixels     int64 // DefaultMaxSourcePixels when unset
	MaxFrames           int64 // DefaultMaxFrames when unset
	S3Endpoint          string
	// Budget is the function's memory (EnvFunctionMemory, the default
	// converter memory when unset) and ConverterTimeout.
	Budget Budget
}

// Vars is the environment that LoadConverterEnv reads back as e, without
// AWS_REGION and AWS_LAMBDA_FUNCTION_MEMORY_SIZE (Lambda sets them) and
// without unset optional values, plus the C library's GLIBC_TUNABLES.
func (e ConverterEnv) Vars() map[string]string {
	m := map[string]string{
		EnvSourceBucket:        e.SourceBucket,
		EnvPrimarySourceBucket: e.PrimarySourceBucket,
		EnvPrimaryRegion:       e.PrimaryRegion,
		EnvTransformedBucket:   e.TransformedBucket,
		EnvOriginVerifySecret:  e.OriginVerifySecret,
		EnvGlibcTunables:       ConverterGlibcTunables,
	}
	if e.MaxSourceBytes > 0 {
		m[EnvMaxSourceBytes] = strconv.FormatInt(e.MaxSourceBytes, 10)
	}
	if e.MaxSourcePixels > 0 {
		m[EnvMaxSourcePixels] = strconv.FormatInt(e.MaxSourcePixels, 10)
	}
	if e.MaxFrames > 0 {
		m[EnvMaxFrames] = strconv.FormatInt(e.MaxFrames, 10)
	}
	if e.S3Endpoint != "" {
		m[EnvS3Endpoint] = e.S3Endpoint
	}
	return m
}

// LoadConverterEnv reads and checks the converter's environment through
// getenv (os.Getenv on Lambda). Every problem is reported, each naming its
// variable, so a misconfigured function says at start what to fix.
func LoadConverterEnv(getenv func(string) string) (ConverterEnv, error) {
	var e ConverterEnv
	var errs []error
	for _, r := range []struct {
		name string
		dst  *string
	}{
		{EnvRegion, &e.Region},
		{EnvSourceBucket, &e.SourceBucket},
		{EnvPrimarySourceBucket, &e.PrimarySourceBucket},
		{EnvPrimaryRegion, &e.PrimaryRegion},
		{EnvTransformedBucket, &e.TransformedBucket},
		{EnvOriginVerifySecret, &e.OriginVerifySecret},
	} {
		*r.dst = getenv(r.name)
		if *r.dst == "" {
			errs = append(errs, fmt.Errorf("environment variable %s is required", r.name))
		}
	}
	if s := e.OriginVerifySecret; s != "" && len(s) < MinOriginSecretLen {
		errs = append(errs, fmt.Errorf("environment variable %s must be at least %d characters", EnvOriginVerifySecret, MinOriginSecretLen))
	}
	e.S3Endpoint = getenv(EnvS3Endpoint)
	e.MaxSourceBytes, e.MaxSourcePixels, e.MaxFrames = DefaultMaxSourceBytes, DefaultMaxSourcePixels, DefaultMaxFrames
	e.Budget = DefaultBudget()
	memory := int64(e.Budget.MemoryMB)
	for _, l := range []struct {
		name string
		dst  *int64
	}{
		{EnvMaxSourceBytes, &e.MaxSourceBytes},
		{EnvMaxSourcePixels, &e.MaxSourcePixels},
		{EnvMaxFrames, &e.MaxFrames},
		{EnvFunctionMemory, &memory},
	} {
		s := getenv(l.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("environment variable %s=%q: want a positive whole number", l.name, s))
			continue
		}
		*l.dst = n
	}
	e.Budget.MemoryMB = int(min(memory, 1<<20))
	if err := e.Budget.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("environment variable %s: %w", EnvFunctionMemory, err))
	}
	if err := errors.Join(errs...); err != nil {
		return ConverterEnv{}, err
	}
	return e, nil
}
