package stack

import (
	"log/slog"

	"imgcells/contract"
	"imgcells/converter"
	"imgcells/converter/httpapi"
	"imgcells/converter/store"
)

// newConverter builds region's converter exactly as the Lambda's bootstrap
// does: the real httpapi handler over the real S3 store, here pointed at
// the local S3 server (path-style). Its store reads originals from the
// region's replica and falls back to the primary source bucket.
func (s *Stack) newConverter(region string) (APIHandler, error) {
	st, err := store.NewS3(s.awsCfg, store.S3Config{
		Region:              region,
		SourceBucket:        s.buckets.Source(region),
		PrimarySourceBucket: s.buckets.PrimarySource(),
		PrimaryRegion:       s.cfg.PrimaryRegion,
		TransformedBucket:   s.buckets.Transformed(region),
		Endpoint:            s.server.Endpoint,
		// One server holds every region's buckets and checks one region:
		// the too-large redirect's URL is signed for it (the stack's own
		// clients are re-signed for it on the way out, see resign.go).
		URLRegion: s.server.Region,
	})
	if err != nil {
		return nil, err
	}
	limits := converter.DefaultLimits()
	if s.cfg.MaxSourceBytes > 0 {
		limits.MaxSourceBytes = s.cfg.MaxSourceBytes
	}
	if s.cfg.MaxSourcePixels > 0 {
		limits.MaxSourcePixels = s.cfg.MaxSourcePixels
	}
	if s.cfg.MaxFrames > 0 {
		limits.MaxFrames = s.cfg.MaxFrames
	}
	if s.cfg.ConverterMemoryMB > 0 {
		// The budget the stack's Lambda derives from its memory: the same
		// refusals and output sizes as deployed.
		limits.Budget = contract.Budget{MemoryMB: s.cfg.ConverterMemoryMB, Timeout: contract.ConverterTimeout}
	}
	logger := s.cfg.ConverterLog
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return httpapi.New(httpapi.Config{
		Originals:          st,
		Variants:           st,
		OriginVerifySecret: s.cfg.OriginVerifySecret,
		Limits:             limits,
		Logger:             logger.With("region", region),
		MaxInlineBytes:     s.cfg.MaxInlineBytes,
	})
}
