// Keyboard shortcuts of the review workbench, and the link between a field and its place in
// the source. No framework: the page works without this script, which only saves keystrokes.
(function () {
  "use strict";
  const decide = document.getElementById("decide");
  const reason = document.getElementById("reason");
  let pending = null; // "approve" or "reject" waiting for a reason

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  function click(id) {
    const el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }
  function submit(id) {
    const form = document.getElementById(id);
    if (form) { form.requestSubmit(); return true; }
    return false;
  }
  function decideWith(action) {
    if (!reason) return;
    if (!reason.value.trim()) {
      pending = action;
      reason.placeholder = "why " + (action === "approve" ? "approve" : "reject") + " it? then Enter";
      reason.focus();
      return;
    }
    click(action);
  }

  // Where a field was read: boxes on the page, segments, cells of the row as sent.
  function places(path) {
    const line = path.match(/^(lines\[\d+\])/);
    const root = line ? line[1] : path.replace(/\[\d+\].*$/, "").split(".")[0];
    const found = [];
    document.querySelectorAll("#source [data-field], #source [data-fields]").forEach(function (el) {
      const f = el.getAttribute("data-field");
      const fs = (el.getAttribute("data-fields") || "").split(" ");
      if (f === path || fs.indexOf(path) >= 0 || fs.indexOf(root) >= 0) found.push(el);
    });
    return found;
  }
  function highlight(path) {
    document.querySelectorAll("#source .focus").forEach(function (el) { el.classList.remove("focus"); });
    const found = places(path);
    found.forEach(function (el) { el.classList.add("focus"); });
    if (found.length) found[0].scrollIntoView({ block: "nearest" });
  }
  document.querySelectorAll("input[data-field]").forEach(function (input) {
    input.addEventListener("focus", function () { highlight(input.getAttribute("data-field")); });
    input.addEventListener("mouseenter", function () { highlight(input.getAttribute("data-field")); });
  });

  if (reason) {
    reason.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        click(pending || (reason.value.trim() ? "approve" : "save"));
      }
    });
  }

  document.addEventListener("keydown", function (ev) {
    const el = document.activeElement;
    if (ev.key === "Escape" && typing(el)) { el.blur(); pending = null; return; }
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter" && decide) {
      ev.preventDefault();
      click(pending || "save");
      return;
    }
    if (typing(el) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const handled = {
      n: function () { return submit("next-form"); },
      c: function () { return submit("claim-form"); },
      a: function () { decideWith("approve"); return true; },
      r: function () { decideWith("reject"); return true; },
    }[ev.key];
    if (handled && handled()) ev.preventDefault();
  });

  // A claimed item opens with the cursor in its first flagged field, ready to type over.
  if (decide && decide.getAttribute("data-mine")) {
    const first = decide.getAttribute("data-first-flagged");
    const input = first ? document.getElementById("f-" + first) : null;
    const errorField = document.querySelector("#fields tr.flagged input[type=text]");
    const target = input || errorField;
    if (target) { target.focus(); target.select(); }
    else if (reason && reason.value) { reason.focus(); }
  }
})();
