// Bundles the two browser programs of Bürgerbot, each into one minified file the app serves:
//   widget/src           -> handover/static/widget.js              (the citizen chat widget, at /widget.js)
//   handover/console/src -> handover/static/console/console.js     (the agent console, at /static/console/console.js)
// Both are build outputs (git-ignored); `make widget` runs this for `make run` and `make test`.
// `node build.mjs --size` also prints the gzip sizes that the README reports.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

const bundles = [
  {
    entry: join(here, 'src', 'main.js'),
    outfile: join(repo, 'handover', 'static', 'widget.js'),
    banner: '/* Bürgerbot chat widget - MIT licence */',
  },
  {
    entry: join(repo, 'handover', 'console', 'src', 'main.js'),
    outfile: join(repo, 'handover', 'static', 'console', 'console.js'),
    banner: '/* Bürgerbot agent console - MIT licence. Sources: handover/console/src */',
  },
];

await Promise.all(
  bundles.map(({ entry, outfile, banner }) =>
    build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      minify: true,
      format: 'iife',
      // Visitors and agents use current evergreen browsers; ES2019 keeps the files small without transpiling much.
      target: ['es2019'],
      legalComments: 'none',
      banner: { js: banner },
      logLevel: 'warning',
    }),
  ),
);

if (process.argv.includes('--size')) {
  for (const { outfile } of bundles) {
    const code = readFileSync(outfile);
    const gzipped = gzipSync(code, { level: 9 }).length;
    const name = relative(join(repo, 'handover', 'static'), outfile);
    console.log(`${name}: ${(code.length / 1024).toFixed(1)} kB minified, ${(gzipped / 1024).toFixed(1)} kB gzip`);
  }
}
