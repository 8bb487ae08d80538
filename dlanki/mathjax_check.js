// Parse TeX with MathJax 3.2.2 (the version Anki bundles) and report what would not render.
// stdin: one JSON object {"tex": "...", "display": true} per line; stdout: one JSON line per input,
// null or the error message. Line by line, so Python can stream formulas while it renders.
// Anki adds `noerrors` (shows broken TeX raw) and `noundefined` (shows unknown macros in red); both
// hide errors from the learner's eye but not from us, so they are left out and errors are thrown.
"use strict";
const path = require("path");
const readline = require("readline");
const base = process.argv[2];
const load = (name) => require(path.join(base, "js", name));
const { mathjax } = load("mathjax.js");
const { TeX } = load("input/tex.js");
const { liteAdaptor } = load("adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = load("handlers/html.js");
const { AllPackages } = load("input/tex/AllPackages.js");
const { STATE } = load("core/MathItem.js");

// bussproofs needs a layout engine; proof trees are not card material.
const packages = AllPackages.filter((name) => !["noerrors", "noundefined", "bussproofs"].includes(name));
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({
  packages,
  formatError: (jax, err) => {
    throw err;
  },
});
// The post-filters tidy a parsed tree for output (inherited attributes, script levels, stretchy
// operators); they never raise, and with nothing to display they were 40% of the check's time.
for (const { item } of [...tex.postFilters]) tex.postFilters.remove(item);
const doc = mathjax.document("", { InputJax: tex });

function check(source, display) {
  try {
    return findError(doc.convert(source, { display: !!display, end: STATE.COMPILED })); // parse only
  } catch (err) {
    return String(err && err.message ? err.message : err);
  }
}

function findError(node) {
  if (!node) return null;
  if (node.kind === "merror") return "MathJax error node";
  for (const child of node.childNodes || []) {
    const found = findError(child);
    if (found) return found;
  }
  return null;
}

const out = [];
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const { tex: source, display } = JSON.parse(line);
  out.push(JSON.stringify(check(source, display)));
  if (out.length >= 256) process.stdout.write(out.splice(0).join("\n") + "\n");
}).on("close", () => {
  if (out.length) process.stdout.write(out.join("\n") + "\n");
});
