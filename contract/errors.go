package contract

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is a refusal the caller can show to a client: an HTTP status and a
// short public reason. The wrapped error carries detail for logs only.
type Error struct {
	Status int    // HTTP status: 400, 404, 413, 415, 422
	Reason string // short, safe to return to a client
	Err    error  // optional detail, never shown to clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Reason, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

func newError(status int, err error, format string, args ...any) *Error {
	return &Error{Status: status, Reason: fmt.Sprintf(format, args...), Err: err}
}

// BadVariant is a 400: the variant key is invalid or not canonical.
func BadVariant(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, nil, format, args...)
}

// NotFound is a 404: the original does not exist.
func NotFound(format string, args ...any) *Error {
	return newError(http.StatusNotFound, nil, format, args...)
}

// TooLarge is a 413: the source or the requested output exceeds a limit.
func TooLarge(format string, args ...any) *Error {
	return newError(http.StatusRequestEntityTooLarge, nil, format, args...)
}

// OverBudget is a 413 too: converting the image would take more time or
// memory than the converter has. err, when not nil, says where it stopped.
func OverBudget(err error, format string, args ...any) *Error {
	return newError(http.StatusRequestEntityTooLarge, err, format, args...)
}

// Unsupported is a 415: the source is not an image format we decode.
func Unsupported(format string, args ...any) *Error {
	return newError(http.StatusUnsupportedMediaType, nil, format, args...)
}

// Corrupt is a 422: the source claims a supported format but cannot be decoded.
func Corrupt(err error, format string, args ...any) *Error {
	return newError(http.StatusUnprocessableEntity, err, format, args...)
}

// StatusOf maps any error to the status and public reason a client should
// see. Errors that are not *Error are internal: 500 with a generic reason, so
// no internal detail leaks.
func StatusOf(err error) (int, string) {
	if err == nil {
		return http.StatusOK, ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Status, e.Reason
	}
	return http.StatusInternalServerError, "internal error"
}
