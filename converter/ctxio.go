package converter

import (
	"context"
	"io"
)

// ctxReader and ctxWriter end a pure-Go decoder's reads or an encoder's
// writes with the context's error once it is done: Go's GIF decoder reads
// through a 4 KB buffer and its PNG encoder writes each zlib block, so
// either stops within a few milliseconds of the deadline.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
