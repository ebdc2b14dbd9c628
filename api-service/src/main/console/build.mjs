// Bundles the console into one ES module with esbuild and copies the page and its styles beside it:
// node build.mjs <output folder>. Maven runs it (api-service/pom.xml) into target/classes/META-INF/resources/console,
// which Quarkus serves at /console/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  throw new Error('usage: node build.mjs <output folder>');
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: false,
  target: ['es2022'],
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
for (const file of ['index.html', 'console.css']) {
  copyFileSync(join('src', file), join(out, file));
}
