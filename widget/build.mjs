// Bundles widget/src into handover/static/widget.js (one minified file the app serves at /widget.js).
// `node build.mjs --size` also prints the gzip size that the README reports.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, '..', 'handover', 'static', 'widget.js');

await build({
  entryPoints: [join(here, 'src', 'main.js')],
  outfile,
  bundle: true,
  minify: true,
  format: 'iife',
  // Municipal visitors use current evergreen browsers; ES2019 keeps the file small without transpiling much.
  target: ['es2019'],
  legalComments: 'none',
  banner: { js: '/* Bürgerbot chat widget - MIT licence */' },
  logLevel: 'warning',
});

if (process.argv.includes('--size')) {
  const code = readFileSync(outfile);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`widget.js: ${(code.length / 1024).toFixed(1)} kB minified, ${(gzipped / 1024).toFixed(1)} kB gzip`);
}
