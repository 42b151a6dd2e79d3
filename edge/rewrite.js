import crypto from 'crypto';
import cf from 'cloudfront';
// imgcells viewer-request function (cloudfront-js-2.0). It turns
// /<key>?width=&height=&quality=&format=&fit= into the canonical variant key
// /<key>/format=F[,quality=Q][,width=W][,height=H][,fit=cover] with an empty
// query string, so the URI alone is the cache key and names the S3 object.
// Every rewritten request also carries x-imgcells-viewer-uri, the URL the
// viewer asked for: the converter's 302 for a too-large output points there;
// and x-imgcells-variant, the rewritten URI, which API Gateway cannot cut at
// an encoded ? or # as it does the path.
// CONFIG is written by edge.Render from the stack's configuration.
var CONFIG = __IMGCELLS_CONFIG__;

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

// accepts reports whether the Accept header names type with q > 0. Only an
// exact type counts: image/* and */* are sent by browsers that cannot decode
// WebP or AVIF.
function accepts(accept, type) {
  var parts = accept.toLowerCase().split(',');
  for (var i = 0; i < parts.length; i++) {
    var params = parts[i].split(';');
    if (params[0].trim() !== type) continue;
    var q = 1;
    for (var j = 1; j < params.length; j++) {
      var kv = params[j].split('=');
      if (kv[0].trim() === 'q' && kv.length === 2) q = parseFloat(kv[1].trim());
    }
    if (q > 0) return true;
  }
  return false;
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

// count parses a positive whole number; anything else is null (dropped).
function count(s) {
  if (!/^[0-9]{1,9}$/.test(s)) return null;
  var n = parseInt(s, 10);
  return n > 0 ? n : null;
}

// encodeSegment percent-encodes everything but RFC 3986 unreserved
// characters, as S3 and SigV4 do, so one key has one spelling.
function encodeSegment(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, function (c) {
    return '%' + c.charCodeAt(0).toString(16).toUpperCase();
  });
}

// canonicalPath decodes the viewer's path once and re-encodes each segment;
// it returns null for a path that cannot name an original.
function canonicalPath(uri) {
  var path;
  try { path = decodeURIComponent(uri); } catch (e) { return null; }
  if (path.charAt(0) !== '/' || /[\u0000-\u001f\u007f]/.test(path)) return null;
  var segs = path.substring(1).split('/');
  var out = '';
  for (var i = 0; i < segs.length; i++) {
    if (segs[i] === '' || segs[i] === '.' || segs[i] === '..') return null;
    try { out += '/' + encodeSegment(segs[i]); } catch (e) { return null; }
  }
  return out;
}

function param(qs, name) {
  var p = qs[name];
  if (!p || typeof p.value !== 'string') return null;
  // one decoding, form style (+ is a space), as the signer encodes
  try { return decodeURIComponent(p.value.replace(/\+/g, ' ')); } catch (e) { return p.value; }
}

// pickFormat resolves format=auto (and anything unknown) from Accept.
function pickFormat(asked, accept) {
  if (asked === 'jpeg' || asked === 'jpg') return 'jpeg';
  if (asked === 'png' || asked === 'webp') return asked;
  if (asked === 'avif' && CONFIG.avif) return 'avif';
  if (CONFIG.avif && accepts(accept, 'image/avif')) return 'avif';
  if (accepts(accept, 'image/webp')) return 'webp';
  return 'jpeg';
}

function ops(qs, accept) {
  var f = param(qs, 'format');
  var format = pickFormat(f === null ? 'auto' : f.toLowerCase(), accept);
  var out = 'format=' + format;
  if (format !== 'png') {
    var q = count(param(qs, 'quality') || '');
    out += ',quality=' + (q !== null && q <= 100 ? nearest(CONFIG.qualities, q) : CONFIG.defaultQuality);
  }
  var w = count(param(qs, 'width') || '');
  var h = count(param(qs, 'height') || '');
  if (w !== null && h !== null) {
    // Both: the box keeps the asked shape (a 3:2 card stays 3:2, for cover
    // and inside alike). The width snaps up; the height is h*W/w rounded to
    // nearest, at least 1. Past the largest breakpoint the height is that
    // breakpoint and the width follows the ratio. 600x400 is 640x427.
    var top = CONFIG.widths[CONFIG.widths.length - 1];
    var W = snapUp(CONFIG.widths, w);
    var H = Math.max(1, Math.round(h * W / w));
    if (H > top) {
      H = top;
      W = Math.max(1, Math.round(w * top / h));
    }
    out += ',width=' + W + ',height=' + H;
  } else if (w !== null) {
    out += ',width=' + snapUp(CONFIG.widths, w);
  } else if (h !== null) {
    out += ',height=' + snapUp(CONFIG.widths, h);
  }
  var fit = param(qs, 'fit');
  if (w !== null && h !== null && fit !== null && fit.toLowerCase() === 'cover') out += ',fit=cover';
  return out;
}

// signedMessage is what sig signs: the canonical path, then the allow-listed
// parameters the viewer sent (and exp), sorted by name, as name=value joined
// by & after one decoding.
function signedMessage(path, qs) {
  var names = ['exp', 'fit', 'format', 'height', 'quality', 'width'];
  var parts = [];
  for (var i = 0; i < names.length; i++) {
    var v = param(qs, names[i]);
    if (v !== null) parts.push(names[i] + '=' + v);
  }
  return path + '?' + parts.join('&');
}

function sameText(a, b) {
  if (a.length !== b.length) return false;
  var x = 0;
  for (var i = 0; i < a.length; i++) x |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return x === 0;
}

// viewerURI rebuilds the URL as the viewer sent it. CloudFront gives query
// names and values as spelt, percent-encoding kept; a repeated name lists
// every value (the first too) in multiValue. Bytes a header cannot carry
// (controls, space, non-ASCII) are percent-encoded as UTF-8, and so is \,
// which browsers read as / in a Location (/\host would leave the site).
function viewerURI(uri, qs) {
  var parts = [];
  for (var name in qs) {
    var p = qs[name];
    var list = p.multiValue && p.multiValue.length ? p.multiValue : [p];
    for (var i = 0; i < list.length; i++) parts.push(name + '=' + list[i].value);
  }
  var s = uri + (parts.length ? '?' + parts.join('&') : '');
  return s.replace(/[^!-\x5b\x5d-~]+/g, function (run) {
    try { return encodeURIComponent(run); } catch (e) { return '%EF%BF%BD'; }
  });
}

async function kvsKey(kvs, name) {
  try { return await kvs.get(name); } catch (e) { return null; }
}

async function verify(path, qs) {
  var sig = param(qs, 'sig');
  if (sig === null) return 'missing signature';
  var exp = param(qs, 'exp');
  if (exp !== null) {
    if (!/^[0-9]{1,12}$/.test(exp)) return 'bad exp';
    var t = parseInt(exp, 10);
    if (Date.now() / 1000 > t) return 'signature expired';
  }
  var msg = signedMessage(path, qs);
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
  var path = canonicalPath(request.uri);
  if (path === null) return reply(400, 'bad image path');
  var qs = request.querystring || {};
  if (CONFIG.signing) {
    var bad = await verify(path, qs);
    if (bad !== null) return reply(403, bad);
  }
  var h = request.headers || {};
  var uri = path + '/' + ops(qs, h.accept ? h.accept.value : '');
  // S3 keys are at most 1024 bytes; each %XX in uri is one byte of the key
  if (uri.length - 1 - 2 * (uri.split('%').length - 1) > 1024) return reply(400, 'image path too long');
  // set, never appended: a viewer cannot choose where the 302 points
  // nor which variant is converted
  h['x-imgcells-viewer-uri'] = { value: viewerURI(request.uri, qs) };
  h['x-imgcells-variant'] = { value: uri };
  request.headers = h;
  request.uri = uri;
  request.querystring = {};
  return request;
}
