// The sharp side of the benchmark, single-threaded like the Go side.
//   node sharp-harness.mjs serve                   lines "<in>\t<width>\t<quality>\t<out>[\t<format>]"
//                                                  on stdin, one JSON line each on stdout
//   node sharp-harness.mjs once IN W Q OUT [FORMAT] one conversion in a fresh process
// FORMAT is webp (the default) or avif; AVIF uses sharp's defaults (effort 4,
// 4:4:4) but for the quality, overridden by the JSON in SHARP_AVIF_OPTIONS.
// Times (wall and process CPU) cover decode, resize and encode of an in-memory source, as on the Go side.
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import sharp from 'sharp';

sharp.concurrency(1);
sharp.cache(false);
const avifOptions = JSON.parse(process.env.SHARP_AVIF_OPTIONS || '{}');

function encode(pipeline, format, quality) {
  if (format === 'avif') return pipeline.avif({ ...avifOptions, quality });
  if (format === 'webp') return pipeline.webp({ quality });
  throw new Error(`unknown format ${format}`);
}

async function convert(inPath, width, quality, outPath, format = 'webp') {
  const src = readFileSync(inPath);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = await encode(sharp(src).rotate().resize({ width, withoutEnlargement: true }), format, quality)
    .toBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  writeFileSync(outPath, out);
  // cpu_ms is the whole process's CPU time (every thread), which other
  // load on the machine disturbs far less than wall time.
  return { ms, cpu_ms: (c.user + c.system) / 1000, bytes: out.length };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'once') {
  const [inPath, w, q, outPath, format] = args;
  console.log(JSON.stringify(await convert(inPath, Number(w), Number(q), outPath, format)));
} else if (mode === 'serve') {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [inPath, w, q, outPath, format] = line.split('\t');
    try {
      console.log(JSON.stringify(await convert(inPath, Number(w), Number(q), outPath, format)));
    } catch (e) {
      console.log(JSON.stringify({ error: String(e) }));
    }
  }
} else {
  console.error('usage: sharp-harness.mjs serve | once IN WIDTH QUALITY OUT [webp|avif]');
  process.exit(2);
}
