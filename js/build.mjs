// Bundles the widget frontend into tensorviz/static/ (one self-contained ESM file + one CSS file).
import * as esbuild from "esbuild";
import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const outdir = path.resolve(here, "..", "tensorviz", "static");
const watch = process.argv.includes("--watch");

/** @type {import("esbuild").BuildOptions} */
const common = {
  bundle: true,
  minify: !process.argv.includes("--dev"),
  target: "es2020",
  logLevel: "warning",
  legalComments: "none",
};

const builds = [
  { ...common, entryPoints: [path.join(here, "src/tensor_view.js")], format: "esm",
    outfile: path.join(outdir, "tensor_view.js") },
  { ...common, entryPoints: [path.join(here, "src/tensor_view.css")],
    outfile: path.join(outdir, "tensor_view.css") },
  { ...common, entryPoints: [path.join(here, "src/op_player.js")], format: "esm",
    outfile: path.join(outdir, "op_player.js") },
  { ...common, entryPoints: [path.join(here, "src/memory_monitor.js")], format: "esm",
    outfile: path.join(outdir, "memory_monitor.js") },
  // every widget for exported HTML files (tensorviz/export.py inlines it): a classic script, no import() or fetch
  { ...common, entryPoints: [path.join(here, "src/standalone/index.js")], format: "iife",
    globalName: "tensorvizStandalone", outfile: path.join(outdir, "standalone.js") },
];

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log("watching…");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  for (const b of builds) {
    const size = statSync(b.outfile).size;
    console.log(`${path.relative(process.cwd(), b.outfile)}  ${(size / 1024).toFixed(1)} KiB`);
  }
}
