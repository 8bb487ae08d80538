// Parse TeX with MathJax 3.2.2 (the version Anki bundles) and report what would not render, and how wide
// it is. argv[2]: a MathJax folder with es5/ inside (dlanki's bundled copy; dlanki/mathjax.py lists the
// components). stdin: one JSON object {"tex": "...", "display": true, "measure": true} per line; stdout:
// one JSON line per input, in order, {"error": null or the message, "width": null or the width in em}.
// Line by line, and answers are flushed as soon as the input read so far is done, so Python can stream
// formulas while it renders and keep only a few in flight per process (mathjax_workers.py runs two).
// Anki adds `noerrors` (shows broken TeX raw) and `noundefined` (shows unknown macros in red); both
// hide errors from the learner's eye but not from us, so they are left out and errors are thrown.
"use strict";
const path = require("path");
const readline = require("readline");
const es5 = path.join(process.argv[2], "es5");

// MathJax's documented way to run its components under Node: the loader (in startup.js) loads the
// rest by name from `paths.mathjax`; nothing is typeset on start-up.
global.MathJax = {
  loader: { paths: { mathjax: es5 }, require: require, load: ["adaptors/liteDOM", "input/tex-full", "output/chtml"] },
  startup: { typeset: false },
};
require(path.join(es5, "startup.js"));

MathJax.startup.promise
  .then(serve)
  .catch((err) => {
    process.stderr.write(String((err && err.stack) || err) + "\n");
    process.exit(1);
  });

function serve() {
  const { mathjax } = MathJax._.mathjax;
  const { TeX } = MathJax._.input.tex_ts;
  const { AllPackages } = MathJax._.input.tex.AllPackages;
  const { STATE } = MathJax._.core.MathItem;
  const adaptor = MathJax.startup.adaptor;

  // bussproofs needs a layout engine; proof trees are not card material.
  const packages = AllPackages.filter((name) => !["noerrors", "noundefined", "bussproofs"].includes(name));
  // The lite adaptor has no fonts, so text MathJax has no glyphs for (CJK in \text{}) would measure 0 wide:
  // count a CJK character as 1em and anything else as 0.55em, as a phone's sans-serif font roughly draws them.
  const CJK = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/;
  adaptor.nodeSize = (node) => {
    let width = 0;
    for (const ch of adaptor.textContent(node)) width += CJK.test(ch) ? 1 : 0.55;
    return [width, 0];
  };
  const throwError = (jax, err) => {
    throw err;
  };

  // Checking: the post-filters tidy a parsed tree for output (inherited attributes, script levels,
  // stretchy operators); they never raise, and with nothing to display they were 40% of the check's time.
  const checker = new TeX({ packages, formatError: throwError });
  for (const { item } of [...checker.postFilters]) checker.postFilters.remove(item);
  const checkDoc = mathjax.document("", { InputJax: checker });

  // Measuring needs the tidied tree and the font metrics of an output jax; nothing is drawn. CHTML's
  // metrics are MathJax's common TeX font tables, the same numbers its SVG output uses, and the preview
  // ships them anyway. CHTML measures unknown text (CJK) inside its container next to the formula's
  // place in the page; a formula measured here has neither, so give it both.
  const measurer = new TeX({ packages, formatError: throwError });
  const output = MathJax.startup.output;
  const measureDoc = mathjax.document("", { InputJax: measurer, OutputJax: output });
  const place = adaptor.text("");
  adaptor.append(adaptor.body(measureDoc.document), place);
  output.container = adaptor.node("mjx-container");

  function check(source, display) {
    try {
      return findError(checkDoc.convert(source, { display: !!display, end: STATE.COMPILED })); // parse only
    } catch (err) {
      return String(err && err.message ? err.message : err);
    }
  }

  // A formula that may be wide is parsed once, with the post-filters, and measured from that same tree:
  // MathJax throws the same parse errors, and the post-filters keep an error node where it was.
  function checkAndMeasure(source, display) {
    const item = new measureDoc.options.MathItem(source, measurer, !!display);
    item.start.node = place;
    item.setMetrics(16, 8, 1e6, 1e6, 1);
    try {
      item.compile(measureDoc);
    } catch (err) {
      return { error: String(err && err.message ? err.message : err), width: null };
    }
    const error = findError(item.root);
    return { error, width: error ? null : Math.round(output.getBBox(item, measureDoc).w * 1000) / 1000 };
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

  let out = [];
  let flushing = false;
  const flush = () => {
    flushing = false;
    if (out.length) process.stdout.write(out.join("\n") + "\n");
    out = [];
  };
  readline
    .createInterface({ input: process.stdin })
    .on("line", (line) => {
      const { tex: source, display, measure } = JSON.parse(line);
      const answer = measure ? checkAndMeasure(source, display) : { error: check(source, display), width: null };
      out.push(JSON.stringify(answer));
      if (!flushing) {
        flushing = true;
        setImmediate(flush); // after every line of the chunk just read
      }
    })
    .on("close", flush);
}
