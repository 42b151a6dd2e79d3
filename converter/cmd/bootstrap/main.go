// Command bootstrap is the converter Lambda (provided.al2023): it reads its
// configuration from the environment, checks it, and serves API Gateway HTTP
// API events with httpapi.Handler. With IMGCELLS_FUNCTION=purge the same
// binary is the purge function instead (purge.go). Wiring only.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/httpapi"
	"imgcells/converter/lambdaext"
	"imgcells/converter/store"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	switch f := os.Getenv(contract.EnvFunction); f {
	case "":
	case contract.FunctionPurge:
		runPurge(logger)
		return
	default:
		logger.Error("bootstrap cannot start", "error", fmt.Sprintf("%s=%q: want unset (the converter) or %q", contract.EnvFunction, f, contract.FunctionPurge))
		os.Exit(1)
	}
	h, err := setup(context.Background(), os.Getenv, logger)
	if err != nil {
		logger.Error("converter cannot start", "error", err.Error())
		os.Exit(1)
	}
	// One Lambda instance converts one request at a time, many in a row:
	// keep the decoders' freed memory for the next one, within the budget.
	converter.KeepFreedMemory(h.Budget())
	// Registered before lambda.Start asks for the first invocation, as the
	// Extensions API requires of an internal extension; an API that does
	// not answer at once does not hold the init phase.
	rctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
	ext, err := lambdaext.Register(rctx, os.Getenv("AWS_LAMBDA_RUNTIME_API"), extensionName, logger)
	cancel()
	if err != nil {
		// Still a working converter: it stores before it answers.
		logger.Warn("storing before answering", "error", err.Error())
		ext = nil
	} else {
		go ext.Run() //nolint:errcheck // Run logs why it stopped
	}
	logInit(logger, ext != nil)
	lambda.Start(afterResponse(h, ext))
}

const (
	// extensionName names the internal extension in the Extensions API.
	extensionName = "imgcells-after-response"
	// registerTimeout bounds its registration, a call on loopback.
	registerTimeout = 2 * time.Second
)

// afterResponse wraps h.Handle so that what the handler leaves for after its
// answer (storing the variant, then its log line) runs while Lambda sends
// the response, the extension holding the invocation open until it is
// done. Without the extension it runs before the answer, as it would in a
// plain handler.
func afterResponse(h *httpapi.Handler, ext *lambdaext.Extension) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if ext == nil || !ok || lc.AwsRequestID == "" {
			return h.Handle(ctx, req)
		}
		actx, after := httpapi.WithAfter(ctx)
		// Deferred, so that even a panic tells the extension the invocation
		// is done; it would otherwise last until its timeout.
		defer ext.Finish(lc.AwsRequestID, after.Run)
		return h.Handle(actx, req)
	}
}

func setup(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*httpapi.Handler, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return nil, err
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.store.Region))
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	st, err := store.NewS3(awsCfg, cfg.store)
	if err != nil {
		return nil, err
	}
	return httpapi.New(httpapi.Config{
		Originals:          st,
		Variants:           st,
		OriginVerifySecret: cfg.secret,
		Limits:             cfg.limits,
		Logger:             logger,
		// Lambda sets it for every runtime; it names the converter's metrics.
		Function: getenv("AWS_LAMBDA_FUNCTION_NAME"),
	})
}

// logInit logs what the init phase cost the process (its CPU time and the
// fresh pages it touched), so an invoke's own share of either can be told
// apart from the process's start: the emulator and Lambda start the
// runtime for the first request. It also names the kernel's transparent
// huge page mode: "madvise" or "always" means the huge pages the converter
// asks for are granted (contract.ConverterGlibcTunables); whether the
// variant is stored after the answer (the extension registered); and the
// vector instructions its C code was compiled for.
func logInit(logger *slog.Logger, storeAfterResponse bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	logger.Info("init", "cpu_ms", float64(cpu.Microseconds())/1000, "minor_faults", ru.Minflt,
		"transparent_hugepage", converter.HugePageMode(), "store_after_response", storeAfterResponse,
		"c_simd", converter.CSIMD())
}
