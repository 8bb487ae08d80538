// Parse TeX with MathJax 3.2.2 (the version Anki bundles) and report what would not render, and how wide
// it is. argv[2]: a MathJax folder with es5/ inside (dlanki's bundled copy; dlanki/mathjax.py lists the
// components). stdin: one JSON object {"tex": "...", "display": true, "fits": 14.4} per line; stdout: one
// JSON line per input, in order, {"error": null or the message, "width": null or a width in em, "measured":
// bool}. A width is measured only when a cheap upper bound of it (widthBound) exceeds "fits": otherwise
// the bound itself is the answer, which is all a caller asking "does it fit?" needs. {"both": true}
// answers with the bound and the measured width, for tests/test_mathjax.py to prove the bound.
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
  // So every formula is parsed without them, and only a formula that needs measuring is tidied (the same
  // tree, the same filters) and measured.
  const checker = new TeX({ packages, formatError: throwError });
  const tidy = new (MathJax._.util.FunctionList.FunctionList)();
  for (const { item, priority } of [...checker.postFilters]) {
    tidy.add(item, priority);
    checker.postFilters.remove(item);
  }

  // Measuring needs the tidied tree and the font metrics of an output jax; nothing is drawn. CHTML's
  // metrics are MathJax's common TeX font tables, the same numbers its SVG output uses, and the preview
  // ships them anyway. CHTML measures unknown text (CJK) inside its container next to the formula's
  // place in the page; a formula measured here has neither, so give it both.
  const output = MathJax.startup.output;
  const doc = mathjax.document("", { InputJax: checker, OutputJax: output });
  const place = adaptor.text("");
  adaptor.append(adaptor.body(doc.document), place);
  output.container = adaptor.node("mjx-container");
  const widthBound = makeWidthBound(output.font, CJK);

  function check(source, display, fits, both) {
    const item = new doc.options.MathItem(source, checker, !!display);
    item.start.node = place;
    item.setMetrics(16, 8, 1e6, 1e6, 1);
    try {
      item.compile(doc); // parse only
    } catch (err) {
      return { error: String(err && err.message ? err.message : err), width: null, measured: false };
    }
    const error = findError(item.root);
    if (error) return { error, width: null, measured: false };
    const bound = Math.ceil(widthBound(item.root) * 1000) / 1000;
    if (bound <= fits && !both) return { error: null, width: bound, measured: false };
    checker.executeFilters(tidy, item, doc, checker.parseOptions);
    item.root = checker.parseOptions.root;
    const width = Math.round(output.getBBox(item, doc).w * 1000) / 1000;
    return both ? { error: null, width, bound, measured: true } : { error: null, width, measured: true };
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
      const { tex: source, display, fits, both } = JSON.parse(line);
      const answer = check(source, display, fits, both);
      out.push(JSON.stringify(answer));
      if (!flushing) {
        flushing = true;
        setImmediate(flush); // after every line of the chunk just read
      }
    })
    .on("close", flush);
}

// An upper bound of a formula's width in em, from its parsed tree (before the post-filters) and the
// font's glyph widths, without laying anything out; Infinity where it cannot tell (explicit widths,
// sizes and spacing, labelled rows, anything unlisted). Every rule over-counts: each character as the
// widest glyph any variant or size has for it (an unknown one as the widest glyph of all, CJK as the
// 1em the measurement above gives it), every operator with the most spacing MathJax puts around one,
// every other atom with a thick space, scripts and limits at full size beside their base, a fraction
// as its wider part, a table as its widest cells plus 2em a column. tests/test_mathjax.py checks it
// against the measured width of every formula in the deck and of formulas made to be wide.
function makeWidthBound(font, CJK) {
  const widest = new Map();
  let widestOfAll = 0;
  for (const variant of Object.values(font.variant)) {
    const chars = variant.chars || {};
    for (const n of Object.keys(chars)) {
      let data = chars[n];
      // An entry may stand for another code point's glyph (`smp`: math alphanumerics); follow it.
      for (let hops = 0; data && data[3] && data[3].smp && hops < 4; hops++) data = chars[data[3].smp];
      if (!data || typeof data[2] !== "number") continue;
      const code = Number(n);
      if (!(widest.get(code) >= data[2])) widest.set(code, data[2]);
      widestOfAll = Math.max(widestOfAll, data[2]);
    }
  }
  const OPERATOR_SPACE = 14 / 18; // lspace + rspace: at most veryverythickmathspace (7/18em) each
  const ATOM_SPACE = 5 / 18; // TeX's widest space between atoms (thick, around a relation)
  const EXPLICIT = ["width", "mathsize", "lspace", "rspace", "minsize", "maxsize", "depth", "height", "voffset"];

  function charWidth(ch) {
    const width = widest.get(ch.codePointAt(0));
    if (width !== undefined) return width;
    return CJK.test(ch) ? 1 : widestOfAll;
  }
  function sum(nodes) {
    let width = 0;
    for (const node of nodes) width += bound(node);
    return width;
  }
  function text(node) {
    let width = 0;
    for (const child of node.childNodes) {
      if (child.kind === "text") for (const ch of child.getText()) width += charWidth(ch);
      else width += bound(child);
    }
    return width;
  }
  function emWidth(value) {
    const match = /^\s*(-?\d*\.?\d+)\s*em\s*$/.exec(String(value));
    return match ? Math.max(0, Number(match[1])) : Infinity;
  }
  function bound(node) {
    if (!node) return 0; // an empty slot (a script with no subscript)
    const inner = innerBound(node);
    return inner === 0 ? 0 : inner + (node.kind === "mo" ? OPERATOR_SPACE : ATOM_SPACE);
  }
  function innerBound(node) {
    const attributes = node.attributes;
    if (attributes && EXPLICIT.some((name) => attributes.getExplicit(name) !== undefined)) {
      return node.kind === "mspace" ? emWidth(attributes.getExplicit("width")) : Infinity;
    }
    switch (node.kind) {
      case "mi": case "mn": case "mo": case "mtext":
        return text(node);
      case "ms":
        return text(node) + 2 * widestOfAll;
      case "mspace": case "none": case "mprescripts":
        return 0;
      case "math": case "mrow": case "inferredMrow": case "TeXAtom": case "mstyle": case "mphantom":
      case "merror": case "semantics": case "maction": case "mtd":
        return sum(node.childNodes);
      case "mfrac": {
        const [numerator, denominator] = node.childNodes.map(bound);
        return (attributes.get("bevelled") ? numerator + denominator + 1 : Math.max(numerator, denominator)) + 0.5;
      }
      case "msqrt": case "mroot":
        return sum(node.childNodes) + 1.5;
      case "msub": case "msup": case "msubsup": case "mmultiscripts": case "munder": case "mover": case "munderover":
        return sum(node.childNodes) + 0.5;
      case "menclose":
        return 1.5 * sum(node.childNodes) + 1;
      case "mtable": {
        const columns = [];
        for (const row of node.childNodes) {
          if (row.kind !== "mtr") return Infinity; // a labelled row spans the whole line
          row.childNodes.forEach((cell, i) => {
            columns[i] = Math.max(columns[i] || 0, bound(cell));
          });
        }
        return columns.reduce((a, b) => a + b, 0) + 2 * (columns.length + 1);
      }
      default:
        return Infinity;
    }
  }
  return (root) => {
    try {
      return bound(root);
    } catch (err) {
      return Infinity; // a tree shape not foreseen: measure it
    }
  };
}
