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

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/httpapi"
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
	logInit(logger)
	lambda.Start(h.Handle)
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
// asks for are granted (contract.ConverterGlibcTunables).
func logInit(logger *slog.Logger) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return
	}
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	logger.Info("init", "cpu_ms", float64(cpu.Microseconds())/1000, "minor_faults", ru.Minflt,
		"transparent_hugepage", converter.HugePageMode())
}
