package edge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"imgcells/contract"
)

// Signing keys in the KeyValueStore associated with the function. The
// function accepts a signature made with either, so a rotation needs no
// deploy: copy KeyCurrent to KeyPrevious, put the new key in KeyCurrent,
// sign with it, and delete KeyPrevious once the old URLs have expired.
const (
	KeyCurrent  = "sign.key"
	KeyPrevious = "sign.key.previous"
)

// signedParams are the query parameters a signature covers, in signing order.
var signedParams = []string{"exp", "fit", "format", "height", "quality", "width"}

// MaxValueLength is the longest query value the function reads, counted as
// the URL spells it (rewrite.js, MAX_VALUE): a longer one is treated as
// absent, by the variant and by the signed message alike. No real value
// comes close (a sig is 64 characters, 192 written all as %XX). SignedMessage
// covers every value it is given, so a URL in which a covered value is
// written longer than this (SignURL writes url.QueryEscape of it) never
// verifies: the function leaves that value out of the text it checks.
const MaxValueLength = 256

// SignedMessage is the text a URL's sig signs: the canonical path, "?", then
// each covered parameter present (exp, fit, format, height, quality, width;
// the first value of each) as name=value in that order joined by "&", the
// value written by contract.EncodeSegment. Escaping every value makes the
// message name one request: a later parameter folded into an earlier value
// (fit=cover%26width%3D64) no longer signs the same text as the two
// parameters. The function (rewrite.js, signedMessage) builds the same text
// from the query it receives, so this needs no edge configuration. Values
// are UTF-8 text.
func SignedMessage(key string, params url.Values) string {
	var parts []string
	for _, name := range signedParams {
		if v, ok := params[name]; ok && len(v) > 0 {
			parts = append(parts, name+"="+contract.EncodeSegment(v[0]))
		}
	}
	return contract.EncodePath(key) + "?" + strings.Join(parts, "&")
}

// Signature is the hex HMAC-SHA256 of SignedMessage under secret.
func Signature(secret, key string, params url.Values) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(SignedMessage(key, params)))
	return hex.EncodeToString(mac.Sum(nil))
}

// SignURL returns a signed request target for an original's key with the
// given parameters, valid until exp (no expiry when exp is zero). A covered
// value longer than MaxValueLength once escaped makes a URL that never
// verifies.
func SignURL(secret, key string, params url.Values, exp time.Time) string {
	p := url.Values{}
	for name, v := range params {
		p[name] = append([]string(nil), v...)
	}
	if !exp.IsZero() {
		p.Set("exp", strconv.FormatInt(exp.Unix(), 10))
	}
	p.Set("sig", Signature(secret, key, p))
	names := make([]string, 0, len(p))
	for name := range p {
		names = append(names, name)
	}
	sort.Strings(names)
	var q []string
	for _, name := range names {
		for _, v := range p[name] {
			q = append(q, url.QueryEscape(name)+"="+url.QueryEscape(v))
		}
	}
	return contract.EncodePath(key) + "?" + strings.Join(q, "&")
}
