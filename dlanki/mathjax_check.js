// Parse TeX with MathJax 3.2.2 (the version Anki bundles) and report what would not render.
// stdin: JSON [{"tex": "...", "display": true}, ...]; stdout: JSON [null | "error message", ...].
// Anki adds `noerrors` (shows broken TeX raw) and `noundefined` (shows unknown macros in red); both
// hide errors from the learner's eye but not from us, so they are left out and errors are thrown.
"use strict";
const path = require("path");
const base = process.argv[2];
const load = (name) => require(path.join(base, "js", name));
const { mathjax } = load("mathjax.js");
const { TeX } = load("input/tex.js");
const { liteAdaptor } = load("adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = load("handlers/html.js");
const { AllPackages } = load("input/tex/AllPackages.js");
const { STATE } = load("core/MathItem.js");

// bussproofs needs a layout engine; proofs trees are not card material.
const packages = AllPackages.filter((name) => !["noerrors", "noundefined", "bussproofs"].includes(name));
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({
  packages,
  formatError: (jax, err) => {
    throw err;
  },
});
const doc = mathjax.document("", { InputJax: tex });

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ tex: source, display }) => {
    try {
      const node = doc.convert(source, { display: !!display, end: STATE.COMPILED }); // parse only, no layout
      return findError(node);
    } catch (err) {
      return String(err && err.message ? err.message : err);
    }
  });
  process.stdout.write(JSON.stringify(results));
});

function findError(node) {
  if (!node) return null;
  if (node.kind === "merror") return "MathJax error node";
  for (const child of node.childNodes || []) {
    const found = findError(child);
    if (found) return found;
  }
  return null;
}
