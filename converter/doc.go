// Package converter is the pure core of the converter Lambda: it turns an original
// image (JPEG, PNG, GIF or WebP) into one variant (contract.Variant: WebP, JPEG or PNG,
// fitted to a width and height) with no AWS in sight.
//
// Convert checks the source against Limits from its header before decoding a pixel,
// then decodes (libjpeg-turbo with DCT-domain shrink-on-load, libpng and libdeflate,
// libwebp, Go's GIF decoder; the cgo bindings live under internal/), applies the EXIF
// orientation, resizes with a fixed-point Lanczos-3 filter whose inner loops are in C,
// and encodes (libwebp through chai2010/webp, libjpeg-turbo, Go's PNG encoder). Every
// refusal is a *contract.Error carrying the HTTP status a client should see: 413 over
// the limits, 415 for what is not a supported image, 422 for a corrupt one.
//
// The store (converter/store), the API Gateway adapter (converter/httpapi) and the
// Lambda's main (converter/cmd/bootstrap) wrap it; converter/cmd/imgconvert runs it
// on a file.
package converter
