package converter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"imgcells/contract"
	"imgcells/converter/arrive"
)

// streamMin is the smallest original decoded while it arrives: below it the
// whole file is awaited, as its transfer is short next to the request's
// round trips (a variable so the tests can stream small files).
var streamMin = 128 << 10

// headFirst is how much of a JPEG is awaited first while its head (the
// marker segments through the first scan header) is looked for; each
// further wait asks for twice as much.
const headFirst = 4 << 10

// ErrArrival marks a conversion that failed because the original's body
// failed or ended short: the network's fault, not the image's. The
// handler reads such an original once more, whole.
var ErrArrival = errors.New("the original stopped arriving")

// errReplanned says the whole file's headers plan another conversion than
// its head did (a scan count that needs a smaller output to fit the
// budget): the conversion is made again from the whole file.
var errReplanned = errors.New("the whole file plans another conversion than its head")

// ConvertArriving is ConvertContext of an original that is still arriving.
// A JPEG is checked from its head (its marker segments through the first
// scan header) and decoded while the rest comes, libjpeg waiting for the
// bytes it needs; other formats, small files and files that have already
// arrived are converted whole. The whole file's headers still decide: once
// it is all there it is checked as ConvertContext checks it, and a refusal
// from that check (too many scans, a budget the rest of the file breaks,
// damage past the head) stops the decoder and is the answer, so the answers
// are ConvertContext's. A failed arrival is ErrArrival wrapping the
// reader's error, never a 4xx: the image is not at fault.
func ConvertArriving(ctx context.Context, a *arrive.Buffer, v contract.Variant, lim Limits) (*Result, error) {
	whole := func(ctx context.Context) (*Result, error) {
		src, err := a.All(ctx)
		if err != nil {
			return nil, arrivalError(err)
		}
		return ConvertContext(ctx, src, v, lim)
	}
	if a.Size() < streamMin {
		return whole(ctx)
	}
	head, err := jpegHead(ctx, a)
	if err != nil {
		return nil, arrivalError(err)
	}
	if head == nil {
		return whole(ctx)
	}
	if _, state := a.Arrived(); state == arrive.Complete {
		return whole(ctx)
	}
	w, err := checkHeaders(head, a.Size(), v, lim)
	if err != nil || w.anim != nil || w.src.kind != kindJPEG {
		// Refusals come from the whole file's headers, as ConvertContext's.
		return whole(ctx)
	}
	w.arriving = a

	cctx, cancel := context.WithTimeout(ctx, lim.budget().ConvertTime())
	defer cancel()
	dctx, stop := context.WithCancelCause(cctx)
	defer stop(nil)
	type verdict struct {
		src []byte
		err error
	}
	checked := make(chan verdict, 1)
	go func() {
		src, err := a.All(dctx)
		if err != nil {
			err = arrivalError(err)
		} else if w2, cerr := check(src, v, lim); cerr != nil {
			err = cerr
		} else if !w.samePlan(w2) {
			err = errReplanned
		}
		checked <- verdict{src, err}
		if err != nil {
			stop(err)
		}
	}()
	prepare(w.cost)
	res, err := w.run(dctx, a.Data(), v)
	settle(w.cost)
	vd := <-checked
	switch {
	case errors.Is(vd.err, errReplanned):
		return ConvertContext(ctx, vd.src, v, lim)
	case vd.err != nil:
		return nil, vd.err
	}
	return res, err
}

// samePlan reports whether o converts as w does: the same output, format,
// orientation and colour handling.
func (w work) samePlan(o work) bool {
	return w.plan == o.plan && w.format == o.format && w.orientation == o.orientation && o.anim == nil &&
		bytes.Equal(w.colour.profile, o.colour.profile) && w.colour.note == o.colour.note
}

// arrivalError is a failure to receive the original: a 5xx, as a failed
// read of a whole original is. The context's own end is not ErrArrival
// (there is no time left to read again).
func arrivalError(err error) error {
	if _, ok := errors.AsType[*contract.Error](err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("receiving the original: %w", err)
	}
	return fmt.Errorf("%w: %w", ErrArrival, err)
}

// jpegHead waits for a JPEG's marker segments through its first scan
// header and returns those bytes; nil when the file is not a JPEG, or when
// the head cannot be found before the whole file is there (the whole-file
// path then judges it).
func jpegHead(ctx context.Context, a *arrive.Buffer) ([]byte, error) {
	want := min(headFirst, a.Size())
	for {
		b, err := a.Wait(ctx, want)
		if err != nil {
			return nil, err
		}
		if len(b) >= 3 && (b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF) {
			return nil, nil
		}
		if end, ok := firstScanEnd(b); ok {
			return b[:end], nil
		} else if end < 0 || len(b) == a.Size() {
			return nil, nil
		}
		want = min(2*len(b), a.Size())
	}
}

// firstScanEnd walks a JPEG's marker segments and returns the offset just
// past its first scan header (ok), or 0 when more bytes are needed, or -1
// when the bytes are not marker segments (the whole-file check says why).
func firstScanEnd(b []byte) (end int, ok bool) {
	i := 2
	for {
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i+3 > len(b) {
			return 0, false
		}
		if b[i-1] != 0xFF {
			return -1, false
		}
		m := b[i]
		i++
		if m == 0x01 || (m >= 0xD0 && m <= 0xD9) {
			if m == 0xD9 {
				return -1, false
			}
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i : i+2]))
		if n < 2 {
			return -1, false
		}
		if i+n > len(b) {
			return 0, false
		}
		i += n
		if m == 0xDA {
			return i, true
		}
	}
}
