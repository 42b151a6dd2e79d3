package edge

// ViewerURIHeader is the request header rewrite.js sets on every request it
// rewrites: the path and query string as the viewer sent them. The converter
// (converter/httpapi, same header name) answers an output too large to return
// inline with a 302 to it, so the viewer asks again with its own URL and the
// function rewrites that to the same key, stored by then.
const ViewerURIHeader = "x-imgcells-viewer-uri"

// VariantHeader is the request header rewrite.js sets on every request it
// rewrites: the rewritten URI itself, percent-encoded as in the path. API
// Gateway HTTP APIs hand the Lambda the path decoded and cut at a decoded
// "?", so a key containing "?" or "#" only reaches the converter
// (converter/httpapi, same header name) whole through this header.
const VariantHeader = "x-imgcells-variant"

// OriginRequestHeaders are the headers of the rewritten request that the
// distribution's origin request policy forwards to its origins (and the local
// stack to its converter). None of them is in the cache key.
func OriginRequestHeaders() []string { return []string{ViewerURIHeader, VariantHeader} }
