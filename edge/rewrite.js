import crypto from 'crypto';
import cf from 'cloudfront';
// imgcells viewer-request function (cloudfront-js-2.0). It turns
// /<key>?width=&height=&quality=&format=&fit= into the canonical variant key
// /<key>/format=F[,quality=Q][,width=W][,height=H][,fit=cover] with an empty
// query string, so the URI alone is the cache key and names the S3 object.
// Every rewritten request also carries x-imgcells-variant, the rewritten URI,
// which API Gateway cannot cut at an encoded ? or # as it does the path. It
// uses only what the runtime's documentation lists (edge/runtime_test.go
// checks the calls).
// CONFIG is written by edge.Render from the stack's configuration.
var CONFIG = __IMGCELLS_CONFIG__;

// Bounds on viewer input, checked before any work on it. A key is at most
// 1024 bytes: at most 3 characters each (%XX) in the URI, at least one each
// decoded. Accept is read up to 512 characters and 20 types, as
// AWS's image-handler solution does. The query is never walked: only the
// allow-listed names are looked up, and a value longer than MAX_VALUE
// characters as sent is ignored (no width, height, quality, format, fit, exp
// or sig is that long; a sig written all as %XX is 192), so tracking
// parameters of any number and length pass untouched.
var MAX_URI = 3 * 1024 + 3, MAX_ACCEPT = 512, MAX_TYPES = 20, MAX_VALUE = 256;

function reply(status, text) {
  return {
    statusCode: status,
    statusDescription: status === 400 ? 'Bad Request' : 'Forbidden',
    headers: {
      'content-type': { value: 'text/plain; charset=utf-8' },
      'cache-control': { value: 'no-store' }
    },
    body: { encoding: 'text', data: text + '\n' }
  };
}

// acceptTypes returns the media types Accept names with q > 0. Repeated
// Accept lines (multiValue) are one list; it is cut at the last comma within
// MAX_ACCEPT characters and at MAX_TYPES types. Only an exact type counts:
// image/* and */* are sent by browsers that cannot decode WebP or AVIF.
function acceptTypes(h) {
  var a = h.accept || {}, s = a.value || '', more = a.multiValue || [];
  for (var i = 1; i < more.length && s.length <= MAX_ACCEPT; i++) s += ',' + more[i].value;
  if (s.length > MAX_ACCEPT) s = s.substring(0, s.lastIndexOf(',', MAX_ACCEPT));
  var out = {}, parts = s.toLowerCase().split(',', MAX_TYPES);
  for (i = 0; i < parts.length; i++) {
    var params = parts[i].split(';'), q = 1;
    for (var j = 1; j < params.length; j++) {
      var kv = params[j].split('=');
      if (kv[0].trim() === 'q' && kv.length === 2) q = parseFloat(kv[1].trim());
    }
    if (q > 0) out[params[0].trim()] = true;
  }
  return out;
}

// snapUp returns the first breakpoint >= n, or the largest.
function snapUp(list, n) {
  for (var i = 0; i < list.length; i++) if (list[i] >= n) return list[i];
  return list[list.length - 1];
}

// nearest returns the allowed value closest to n; a tie goes to the higher.
function nearest(list, n) {
  var best = list[0];
  for (var i = 1; i < list.length; i++) {
    if (Math.abs(list[i] - n) <= Math.abs(best - n)) best = list[i];
  }
  return best;
}

// shape returns the configured [w, h] ratio nearest w:h, by the factor
// between them; a tie goes to the first listed.
function shape(w, h) {
  var best, bestD = Infinity;
  for (var i = 0; i < CONFIG.ratios.length; i++) {
    var r = CONFIG.ratios[i], d = w * r[1] / (h * r[0]);
    if (d < 1) d = 1 / d;
    if (d < bestD) { best = r; bestD = d; }
  }
  return best;
}

// count parses a positive whole number; anything else is null (dropped).
function count(s) {
  if (s.search(/^[0-9]{1,9}$/) < 0) return null;
  var n = parseInt(s, 10);
  return n > 0 ? n : null;
}

// swap replaces a by b in s for each [pattern, a, b] of pairs from index i
// whose pattern is found in s. split and join, never a regex replace: in njs
// each match of a replace allocates about half a KiB, so a run of matches
// costs megabytes. Regexes are only searched: in njs RegExp.test allocates
// 20 KiB a call, String.search a fiftieth of that.
function swap(s, pairs, i) {
  for (; i < pairs.length; i++) {
    if (s.search(pairs[i][0]) >= 0) s = s.split(pairs[i][1]).join(pairs[i][2]);
  }
  return s;
}

// encode percent-encodes everything but RFC 3986 unreserved characters, as
// S3 and SigV4 do, so one key has one spelling; with keep, / stays.
var STRICT = [[/%2F/, '%2F', '/'], [/!/, '!', '%21'], [/'/, "'", '%27'],
  [/\(/, '(', '%28'], [/\)/, ')', '%29'], [/\*/, '*', '%2A']];
function encode(s, keep) {
  return swap(encodeURIComponent(s), STRICT, keep ? 0 : 1);
}

// canonicalPath decodes the viewer's path once and encodes it again; it
// returns null for a path that cannot name an original: not absolute, a
// control character, an empty, . or .. segment, a bad escape; and '' for
// one too long to be a key.
function canonicalPath(uri) {
  try {
    var path = decodeURIComponent(uri);
    if (path.length > 1025) return '';
    if (path.charAt(0) !== '/' || path.search(/[\u0000-\u001f\u007f]|\/\.{0,2}(\/|$)/) >= 0) return null;
    return encode(path, true);
  } catch (e) { return null; }
}

// param returns the first value of name decoded once, form style (+ is a
// space), as the signer encodes it; null when absent or over MAX_VALUE.
var PLUS = [[/\+/, '+', ' ']];
function param(qs, name) {
  var p = qs[name];
  if (!p || typeof p.value !== 'string' || p.value.length > MAX_VALUE) return null;
  try { return decodeURIComponent(swap(p.value, PLUS, 0)); } catch (e) { return p.value; }
}

// SIGNED are the parameters a signature covers, in signing order: exp, then
// those the variant is made of. params reads each once (exp only when
// signing), so the signature and the variant see the same values and a
// hostile value is decoded once, not once for each.
var SIGNED = ['exp', 'fit', 'format', 'height', 'quality', 'width'];
function params(qs) {
  var v = {};
  for (var i = CONFIG.signing ? 0 : 1; i < SIGNED.length; i++) v[SIGNED[i]] = param(qs, SIGNED[i]);
  return v;
}

// pickFormat resolves format=auto (and anything unknown) from Accept.
function pickFormat(asked, h) {
  if (asked === 'jpeg' || asked === 'jpg') return 'jpeg';
  if (asked === 'png' || asked === 'webp') return asked;
  if (asked === 'avif' && CONFIG.avif) return 'avif';
  var types = acceptTypes(h);
  if (CONFIG.avif && types['image/avif']) return 'avif';
  return types['image/webp'] ? 'webp' : 'jpeg';
}

// ops is the variant of the values v (from params).
function ops(v, headers) {
  var format = pickFormat(v.format === null ? 'auto' : v.format.toLowerCase(), headers);
  var out = 'format=' + format;
  if (format !== 'png') {
    var q = count(v.quality || '');
    out += ',quality=' + (q !== null && q <= 100 ? nearest(CONFIG.qualities, q) : CONFIG.defaultQuality);
  }
  var w = count(v.width || '');
  var h = count(v.height || '');
  if (w !== null && h !== null) {
    // Both: the box takes the configured ratio nearest the asked one, so a
    // width breakpoint has one box per ratio. The width snaps up, the height
    // is W*rh/rw rounded (at least 1); past the largest breakpoint the height
    // is that breakpoint and the width follows. 600x400 is 3:2: 640x427.
    var top = CONFIG.widths[CONFIG.widths.length - 1], r = shape(w, h);
    var W = snapUp(CONFIG.widths, w);
    var H = Math.max(1, Math.round(W * r[1] / r[0]));
    if (H > top) {
      H = top;
      W = Math.max(1, Math.round(top * r[0] / r[1]));
    }
    out += ',width=' + W + ',height=' + H;
  } else if (w !== null) {
    out += ',width=' + snapUp(CONFIG.widths, w);
  } else if (h !== null) {
    out += ',height=' + snapUp(CONFIG.widths, h);
  }
  if (w !== null && h !== null && v.fit !== null && v.fit.toLowerCase() === 'cover') out += ',fit=cover';
  return out;
}

// signedMessage is what sig signs: the canonical path, "?", then each
// covered parameter the viewer sent (SIGNED: its first value, decoded once,
// unless over MAX_VALUE) as name=value joined by &, the value
// percent-encoded as a path segment. No value holds a bare & or =, so a
// message names one request: later parameters cannot be folded into an
// earlier value. The signer (edge.SignedMessage) needs no configuration.
function signedMessage(path, v) {
  var parts = [];
  for (var i = 0; i < SIGNED.length; i++) {
    if (v[SIGNED[i]] !== null) parts.push(SIGNED[i] + '=' + encode(v[SIGNED[i]]));
  }
  return path + '?' + parts.join('&');
}

function sameText(a, b) {
  if (a.length !== b.length) return false;
  var x = 0;
  for (var i = 0; i < a.length; i++) x |= a.codePointAt(i) ^ b.codePointAt(i);
  return x === 0;
}

async function kvsKey(kvs, name) {
  try { return await kvs.get(name); } catch (e) { return null; }
}

async function verify(path, sig, v) {
  if (sig === null) return 'missing signature';
  var exp = v.exp;
  if (exp !== null) {
    if (exp.search(/^[0-9]{1,12}$/) < 0) return 'bad exp';
    if (Date.now() / 1000 > parseInt(exp, 10)) return 'signature expired';
  }
  var msg;
  try { msg = signedMessage(path, v); } catch (e) { return 'bad signature'; }
  var kvs = cf.kvs();
  var names = ['sign.key', 'sign.key.previous'];
  for (var i = 0; i < names.length; i++) {
    var key = await kvsKey(kvs, names[i]);
    if (!key) continue;
    var want = crypto.createHmac('sha256', key).update(msg).digest('hex');
    if (sameText(sig.toLowerCase(), want)) return null;
  }
  return 'bad signature';
}

async function handler(event) {
  var request = event.request;
  if (request.uri.length > MAX_URI) return reply(400, 'image path too long');
  var qs = request.querystring || {};
  var path = canonicalPath(request.uri);
  if (path === null) return reply(400, 'bad image path');
  if (path === '') return reply(400, 'image path too long');
  var v = params(qs);
  if (CONFIG.signing) {
    var bad = await verify(path, param(qs, 'sig'), v);
    if (bad !== null) return reply(403, bad);
  }
  var h = request.headers || {};
  var uri = path + '/' + ops(v, h);
  // S3 keys are at most 1024 bytes; each %XX in uri is one byte of the key
  if (uri.length - 2 * (uri.split('%').length - 1) - 1 > 1024) return reply(400, 'image path too long');
  // set, never appended: a viewer cannot choose which variant is converted
  h['x-imgcells-variant'] = { value: uri };
  request.headers = h;
  request.uri = uri;
  request.querystring = {};
  return request;
}
