// The sharp side of the benchmark, single-threaded like the Go side.
//   node sharp-harness.mjs serve            lines "<in>\t<width>\t<quality>\t<out>" on stdin,
//                                           one JSON line each on stdout
//   node sharp-harness.mjs once IN W Q OUT  one conversion in a fresh process
// Times (wall and process CPU) cover decode, resize and encode of an in-memory source, as on the Go side.
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import sharp from 'sharp';

sharp.concurrency(1);
sharp.cache(false);

async function convert(inPath, width, quality, outPath) {
  const src = readFileSync(inPath);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = await sharp(src).rotate().resize({ width, withoutEnlargement: true })
    .webp({ quality }).toBuffer();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  writeFileSync(outPath, out);
  // cpu_ms is the whole process's CPU time (every thread), which other
  // load on the machine disturbs far less than wall time.
  return { ms, cpu_ms: (c.user + c.system) / 1000, bytes: out.length };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'once') {
  const [inPath, w, q, outPath] = args;
  console.log(JSON.stringify(await convert(inPath, Number(w), Number(q), outPath)));
} else if (mode === 'serve') {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [inPath, w, q, outPath] = line.split('\t');
    try {
      console.log(JSON.stringify(await convert(inPath, Number(w), Number(q), outPath)));
    } catch (e) {
      console.log(JSON.stringify({ error: String(e) }));
    }
  }
} else {
  console.error('usage: sharp-harness.mjs serve | once IN WIDTH QUALITY OUT');
  process.exit(2);
}
