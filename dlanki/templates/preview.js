// dlanki preview: filters, night mode and MathJax typesetting. No request leaves the folder.
"use strict";
(function () {
  var body = document.body;
  var cards = Array.prototype.slice.call(document.querySelectorAll(".pv-card"));
  var textBox = document.getElementById("pv-text");
  var tagBox = document.getElementById("pv-tag");
  var deckBox = document.getElementById("pv-deck");
  var nightButton = document.getElementById("pv-night");
  var statusLine = document.getElementById("pv-status");
  var noneLine = document.getElementById("pv-none");
  var expectedFormulas = Number(body.getAttribute("data-formulas")) || 0;
  var state = { typeset: 0, mathjax: "", shown: cards.length };

  // Searchable text is taken before MathJax replaces the TeX, so `\frac` finds formulas too.
  var index = cards.map(function (el) {
    var tags = el.getAttribute("data-tags");
    return {
      el: el,
      tags: tags ? tags.toLowerCase().split(" ") : [],
      deck: el.getAttribute("data-deck").toLowerCase(),
      text: [
        el.getAttribute("data-id"),
        el.getAttribute("data-source"),
        el.getAttribute("data-deck"),
        el.querySelector(".pv-sides").textContent,
      ].join(" ").toLowerCase(),
    };
  });

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Like Anki's `tag:` search: the tag or any child tag, case-insensitive, `*` as a wildcard;
  // several terms must all match.
  function tagMatcher(value) {
    var terms = value.trim().split(/\s+/).filter(Boolean).map(function (term) {
      var bare = term.replace(/^tag:/i, "");
      var pattern = escapeRegExp(bare).replace(/\\\*/g, ".*");
      return new RegExp("^" + pattern + "(::.*)?$", "i");
    });
    return function (tags) {
      return terms.every(function (re) {
        return tags.some(function (tag) { return re.test(tag); });
      });
    };
  }

  function deckMatcher(value) {
    var wanted = value.toLowerCase();
    return function (deck) {
      return !wanted || deck === wanted || deck.indexOf(wanted + "::") === 0;
    };
  }

  function apply(updateHash) {
    var words = textBox.value.toLowerCase().split(/\s+/).filter(Boolean);
    var tagOk = tagMatcher(tagBox.value);
    var deckOk = deckMatcher(deckBox.value);
    var shown = 0;
    index.forEach(function (card) {
      var show = tagOk(card.tags) && deckOk(card.deck) && words.every(function (w) { return card.text.indexOf(w) >= 0; });
      card.el.hidden = !show;
      if (show) shown += 1;
    });
    state.shown = shown;
    noneLine.hidden = shown > 0 || cards.length === 0;
    if (updateHash) writeHash();
    showStatus();
  }

  function showStatus() {
    var parts = ["Showing " + state.shown + " of " + cards.length + " cards"];
    if (state.mathjax) parts.push(state.mathjax);
    statusLine.textContent = parts.join(" · ");
  }

  // The filters live in the address (#tag=dl::cnn&deck=…&q=…), so a filtered view can be shared.
  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    if (!params.has("tag") && !params.has("deck") && !params.has("q")) return;
    textBox.value = params.get("q") || "";
    tagBox.value = params.get("tag") || "";
    deckBox.value = params.get("deck") || "";
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (textBox.value) params.set("q", textBox.value);
    if (tagBox.value) params.set("tag", tagBox.value);
    if (deckBox.value) params.set("deck", deckBox.value);
    var hash = params.toString();
    history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
  }

  // Anki adds the nightMode class; the note type's CSS does the rest (and inverts diagrams).
  function setNight(on) {
    body.classList.toggle("nightMode", on);
    nightButton.setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("dlanki-night", on ? "1" : "0"); } catch (e) { /* storage may be off for file:// */ }
  }

  function initialNight() {
    try {
      var saved = localStorage.getItem("dlanki-night");
      if (saved !== null) return saved === "1";
    } catch (e) { /* ignore */ }
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  // Formulas MathJax could not read: an <merror> (noerrors shows the raw TeX) or an undefined
  // macro (noundefined shows it in red). Both look broken in Anki too, so the page flags them.
  function findMathErrors() {
    var errors = [];
    Array.from(window.MathJax.startup.document.math).forEach(function (item) {
      var problem = "";
      item.root.walkTree(function (node) {
        if (problem) return;
        if (node.isKind("merror")) {
          problem = node.attributes.get("data-mjx-error") || "MathJax error";
        } else if (node.isKind("mtext") && node.attributes.get("mathcolor") === "red") {
          var text = node.getText ? node.getText() : "";
          if (text.charAt(0) === "\\") problem = "undefined control sequence " + text;
        }
      });
      if (problem) {
        var container = item.typesetRoot;
        errors.push({ tex: item.math, message: problem });
        if (container) {
          container.classList.add("pv-math-error");
          container.setAttribute("title", problem);
          var card = container.closest(".pv-card");
          if (card) card.classList.add("pv-has-error");
        }
      }
    });
    return errors;
  }

  // TeX MathJax did not recognise at all stays raw on the card (an unbalanced brace hides the
  // closing delimiter from MathJax), exactly as in Anki: find it in the text left over.
  function findRawTeX() {
    var errors = [];
    document.querySelectorAll(".pv-side > .card").forEach(function (side) {
      var walker = document.createTreeWalker(side, NodeFilter.SHOW_TEXT, {
        acceptNode: function (node) {
          return node.parentElement.closest("code, pre, mjx-container") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        },
      });
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        var found = node.data.match(/\\[(\[][\s\S]*/);
        if (found) {
          errors.push({ tex: found[0].slice(0, 60), message: "not typeset: MathJax found no matching end (unbalanced braces?)" });
          var card = side.closest(".pv-card");
          if (card) card.classList.add("pv-has-error");
        }
      }
    });
    return errors;
  }

  function showMathErrors(errors) {
    var banner = document.getElementById("pv-math-errors");
    if (!errors.length) return;
    banner.hidden = false;
    banner.textContent = errors.length + " formula(s) do not render (outlined in red): " +
      errors.slice(0, 3).map(function (e) { return e.tex + " — " + e.message; }).join("; ");
  }

  function noMathJax() {
    document.getElementById("pv-no-mathjax").hidden = false;
    state.mathjax = "formulas not typeset (no MathJax)";
    showStatus();
    return { formulas: expectedFormulas, typeset: 0, errors: [], mathjax: false };
  }

  // Typeset in batches, yielding between them, so a big deck stays scrollable while it works.
  function typesetAll() {
    var sides = Array.prototype.slice.call(document.querySelectorAll(".pv-side > .card"));
    var batch = 40;
    var done = 0;
    function next() {
      if (done >= sides.length) return Promise.resolve();
      var chunk = sides.slice(done, done + batch);
      return window.MathJax.typesetPromise(chunk).then(function () {
        done += chunk.length;
        state.mathjax = done < sides.length ? "typesetting formulas " + Math.round((100 * done) / sides.length) + "%" : "";
        showStatus();
        return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(next);
      });
    }
    return next().then(function () {
      var errors = findMathErrors().concat(findRawTeX());
      showMathErrors(errors);
      var typeset = document.querySelectorAll(".pv-list mjx-container").length;
      state.typeset = typeset;
      state.mathjax = typeset + " formulas typeset" + (errors.length ? ", " + errors.length + " with errors" : "");
      showStatus();
      return { formulas: expectedFormulas, typeset: typeset, errors: errors, mathjax: true };
    });
  }

  textBox.addEventListener("input", function () { apply(true); });
  tagBox.addEventListener("input", function () { apply(true); });
  deckBox.addEventListener("change", function () { apply(true); });
  nightButton.addEventListener("click", function () { setNight(!body.classList.contains("nightMode")); });
  window.addEventListener("hashchange", function () { readHash(); apply(false); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== textBox && document.activeElement !== tagBox) {
      event.preventDefault();
      textBox.focus();
    }
  });

  setNight(initialNight());
  readHash();
  apply(false);

  // Until the bundle loads, window.MathJax is only the configuration above.
  var hasMathJax = Boolean(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) && !window.dlankiMathJaxFailed;
  var ready = hasMathJax
    ? window.MathJax.startup.promise.then(typesetAll)
    : Promise.resolve().then(noMathJax);
  window.dlankiPreview = { ready: ready, apply: apply, setNight: setNight };
})();
