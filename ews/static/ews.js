/* EWS pages: small progressive enhancements. Every page works without this file.
 *  - conditional questions: shown only when their `data-applies-when` condition holds and
 *    their `data-applies-unless` one does not; hidden ones are disabled so they are sent as
 *    "not asked"; `is_minor` is derived here as on the server;
 *  - "none of these" (one per section) answers the section's unanswered yes/no questions
 *    with "no" at once (without this script the server does it and shows the form again);
 *  - every change to the interview form is saved as a draft on the server (debounced, and
 *    by a beacon when the page goes away); the server fills the form from it on the next
 *    visit. Only while the server cannot be reached (no network, session ended) are the
 *    answers kept in this browser, and they are removed once the server has them, when the
 *    interview is stored and at sign-out;
 *  - Enter in a field never sends the form; sending shows the review step ("Periksa
 *    jawaban") and only its `data-store` button stores;
 *  - forms are sent with fetch; without network the sending waits and is tried again by
 *    itself (safe: the server is idempotent on the application number);
 *  - a second tap on a submit button while a submission is running does nothing;
 *  - table cells get their column's header as `data-label` for the narrow-screen stacks, and
 *    a table scrolling sideways in its box can be focused (and so scrolled by keyboard).
 */
(function () {
  "use strict";
  var UNSENT = "ews.unsent";        // answers the server has not saved yet (see above)
  var CARRY = "ews.carry";          // answers carried across a language switch (this tab only)
  var MAX_AGE_MS = 24 * 3600 * 1000;
  var DRAFT_DELAY_MS = 700;         // typing pauses this long before a draft is saved
  var RETRY_MS = 4000;              // a send that failed is tried again after this (or online)
  // The address of the document on screen, without its #fragment: a same-page link changes
  // only the fragment (and fires popstate in Chromium), which must never reload the page.
  var shown = withoutHash(location.href);

  function withoutHash(url) { return String(url).split("#")[0]; }

  function store(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  function ageOn(born, day) {
    var age = day.getFullYear() - born.getFullYear();
    var m = day.getMonth() - born.getMonth();
    if (m < 0 || (m === 0 && day.getDate() < born.getDate())) { age--; }
    return age;
  }

  // The derived minor status, as the server derives it: from the registration, else the
  // date of birth, else the NIK's date part (day + 40 for women); "" when unknown.
  function minorStatus(form) {
    if (form.hasAttribute("data-minor")) { return form.getAttribute("data-minor"); }
    var today = new Date(), born = null;
    var dob = form.elements.date_of_birth;
    var m = dob && !dob.disabled && /^(\d{4})-(\d{2})-(\d{2})$/.exec(dob.value);
    if (m) {
      born = new Date(+m[1], +m[2] - 1, +m[3]);
    } else {
      var nik = form.elements.nik;
      var n = nik && !nik.disabled && /^\d{16}$/.exec(nik.value.trim()) && nik.value.trim();
      if (n) {
        var d = +n.slice(6, 8), mo = +n.slice(8, 10), yy = +n.slice(10, 12);
        if (d > 40) { d -= 40; }
        var year = 2000 + yy <= today.getFullYear() ? 2000 + yy : 1900 + yy;
        if (d >= 1 && d <= 31 && mo >= 1 && mo <= 12) { born = new Date(year, mo - 1, d); }
      }
    }
    if (!born || isNaN(born.getTime())) { return ""; }
    return ageOn(born, today) < 18 ? "true" : "false";
  }

  function currentValue(form, name) {
    if (name === "is_minor") { return minorStatus(form); }
    var els = form.elements[name];
    if (!els) { return ""; }
    if (els instanceof RadioNodeList || (els.length !== undefined && !els.tagName)) {
      for (var i = 0; i < els.length; i++) {
        if (els[i].checked && !els[i].disabled) { return els[i].value; }
      }
      return "";
    }
    return els.disabled ? "" : els.value;
  }

  function anyOf(form, cond) {
    return Object.keys(cond).some(function (name) {
      return cond[name].indexOf(currentValue(form, name)) !== -1;
    });
  }

  function applies(form, box) {
    var when = box.getAttribute("data-applies-when");
    var unless = box.getAttribute("data-applies-unless");
    if (unless && anyOf(form, JSON.parse(unless))) { return false; }
    return !when || anyOf(form, JSON.parse(when));
  }

  function refreshConditions(form) {
    var boxes = form.querySelectorAll("[data-applies-when], [data-applies-unless]");
    // Three passes so that a question depending on another conditional question settles.
    for (var pass = 0; pass < 3; pass++) {
      boxes.forEach(function (box) {
        var show = applies(form, box);
        box.hidden = !show;
        box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
      });
    }
    form.querySelectorAll(".grid, .yesno-list").forEach(function (run) {
      run.hidden = run.querySelector(".q:not([hidden])") === null;
    });
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var visible = section.querySelector(".q:not([hidden])") !== null;
      section.hidden = !visible;
      var tap = section.querySelector("[data-none-of]");
      if (tap) { tap.parentNode.hidden = section.querySelector("[data-tap]:not([hidden])") === null; }
      var nav = document.getElementById("nav-" + section.getAttribute("data-section"));
      if (nav) { nav.hidden = !visible; }
    });
  }

  function entriesOf(form) {
    var out = [];
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrf_token") { out.push([key, String(value)]); }
    });
    return out;
  }

  function fill(form, entries) {
    var byName = {};
    entries.forEach(function (kv) { byName[kv[0]] = kv[1]; });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || !(el.name in byName)) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = el.value === byName[el.name];
      } else {
        el.value = byName[el.name];
      }
    });
    refreshConditions(form);
  }

  function userKey() { return document.body.getAttribute("data-user") || ""; }

  function appNo(form) {
    var el = form.elements.application_id;
    return el && el.value ? el.value.trim() : "";
  }

  var signingOut = false;           // from the sign-out tap on, nothing is kept here

  function keepLocal(form) {
    var ls = store("localStorage");
    if (!ls || signingOut) { return; }
    ls.setItem(UNSENT, JSON.stringify({ user: userKey(), at: Date.now(), application_id: appNo(form),
                                        entries: entriesOf(form) }));
  }

  function loadLocal() {
    var ls = store("localStorage");
    if (!ls) { return null; }
    try {
      var p = JSON.parse(ls.getItem(UNSENT) || "null");
      if (p && (Date.now() - p.at > MAX_AGE_MS || p.user !== userKey())) {
        ls.removeItem(UNSENT);
        return null;
      }
      return p;
    } catch (e) { ls.removeItem(UNSENT); return null; }
  }

  function clearLocal() {
    var ls = store("localStorage");
    if (ls) { ls.removeItem(UNSENT); ls.removeItem("ews.pending"); }
  }

  function showRestored() {
    var box = document.querySelector("[data-restored]");
    if (box) { box.hidden = false; }
  }

  function setOffline(offline) {
    var box = document.querySelector("[data-offline]");
    if (box) { box.hidden = !offline; }
  }

  // Call `again` once, when the network is back or after RETRY_MS, whichever comes first.
  function retryLater(again) {
    var done = false;
    function go() {
      if (done) { return; }
      done = true;
      window.removeEventListener("online", go);
      again();
    }
    window.addEventListener("online", go);
    setTimeout(go, RETRY_MS);
  }

  function setBusy(form, busy) {
    form.setAttribute("data-busy", busy ? "1" : "");
    form.querySelectorAll("[data-submit]").forEach(function (btn) {
      if (!btn.hasAttribute("data-idle-label")) { btn.setAttribute("data-idle-label", btn.textContent); }
      btn.setAttribute("aria-disabled", busy ? "true" : "false");
      btn.disabled = busy;
      btn.textContent = busy ? (btn.getAttribute("data-busy-label") || btn.textContent)
                             : btn.getAttribute("data-idle-label");
    });
  }

  function replacePage(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.body.replaceWith(doc.body);
    if (url && url !== location.href) { history.pushState(null, "", url); }
    shown = withoutHash(location.href);
    init();
    window.scrollTo(0, 0);
    // A page swapped in place is not announced by screen readers like a page load: move
    // focus to what it is about (the recommended action, else the heading), unless init()
    // already focused an error summary or a notice.
    if (document.activeElement === document.body || document.activeElement === null) {
      var about = document.querySelector(".action-panel") || document.querySelector("main h1");
      if (about) {
        if (!about.hasAttribute("tabindex")) { about.setAttribute("tabindex", "-1"); }
        about.focus();
      }
    }
  }

  function showNetFail(form, show) {
    var box = form.querySelector("[data-netfail]");
    if (box) { box.hidden = !show; if (show) { box.scrollIntoView({ block: "center" }); } }
  }

  // "None of these": every visible, unanswered yes/no rule question of the section becomes
  // "no" (a count that starts at 0 becomes 0). Answers already given stay as they are.
  function noneOf(form, section) {
    section.querySelectorAll("[data-tap]:not([hidden])").forEach(function (box) {
      var value = box.getAttribute("data-tap");
      var radios = box.querySelectorAll("input[type=radio]");
      if (radios.length) {
        var answered = Array.prototype.some.call(radios, function (r) { return r.checked; });
        if (!answered) {
          radios.forEach(function (r) { r.checked = r.value === value; });
        }
      } else {
        var input = box.querySelector("input");
        if (input && input.value.trim() === "") { input.value = value; }
      }
    });
    refreshConditions(form);
  }

  function enhanceInterview(form) {
    refreshConditions(form);
    form.querySelectorAll("[data-none-of]").forEach(function (btn) {
      btn.addEventListener("click", function (ev) {
        ev.preventDefault();  // without this script the button asks the server to do it
        var section = form.querySelector("[data-section='" + btn.getAttribute("data-none-of") + "']");
        if (section) { noneOf(form, section); }
      });
    });
    form.addEventListener("change", function () { refreshConditions(form); });
    form.addEventListener("input", function () { refreshConditions(form); });

    var ss = store("sessionStorage");
    var carried = ss && ss.getItem(CARRY);
    if (carried) {
      ss.removeItem(CARRY);
      try { fill(form, JSON.parse(carried)); } catch (e) { /* ignore a damaged carry */ }
    }

    var local = loadLocal();
    var here = appNo(form);
    if (local && (!here || !local.application_id || here === local.application_id)) {
      fill(form, local.entries);  // newer than the server's draft: it never got there
      showRestored();
    }
    keepDrafts(form, !!local);
    blockEnter(form);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      sendForm(form);
    });
  }

  // Enter in a field moves on, never sends (the disabled default button stops it without
  // this script too).
  function blockEnter(form) {
    form.addEventListener("keydown", function (ev) {
      var t = ev.target;
      if (ev.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button") {
        ev.preventDefault();
      }
    });
  }

  function keepDrafts(form, dirtyNow) {
    var url = form.getAttribute("data-draft-url");
    if (!url || !window.fetch) { return; }
    var timer = null, dirty = false, offline = false, saving = false;
    var previous = form.elements.draft_previous ? form.elements.draft_previous.value : "";
    var note = form.querySelector("[data-draft-state]");

    function body() {
      var fd = new FormData(form);
      fd.set("draft_previous", previous);
      return fd;
    }
    function state(value) { if (note) { note.setAttribute("data-draft-state", value); } }
    function save() {
      timer = null;
      if (!dirty || saving || !form.isConnected) { return; }
      dirty = false;
      saving = true;
      var sent = appNo(form);
      state("saving");
      fetch(url, { method: "POST", body: body(), credentials: "same-origin", redirect: "manual",
                   headers: { "X-Requested-With": "fetch" } })
        .then(function (resp) {
          saving = false;
          offline = false;
          setOffline(false);
          if (resp.status !== 204) { throw new Error("not saved " + resp.status); }
          previous = sent;
          if (!dirty) { clearLocal(); state("saved"); } else { save(); }
        })
        .catch(function () {
          saving = false;
          dirty = true;
          keepLocal(form);
          state("unsaved");
          if (!navigator.onLine) { offline = true; setOffline(true); }
          retryLater(save);
        });
    }
    function changed() {
      dirty = true;
      if (offline) { keepLocal(form); }
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, DRAFT_DELAY_MS);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("[data-none-of]")) { changed(); }
    });
    form.addEventListener("submit", function () {  // the review step saves the draft itself
      if (timer) { clearTimeout(timer); timer = null; }
      dirty = false;
    });
    window.addEventListener("offline", function () { offline = true; setOffline(true); });
    window.addEventListener("online", function () { offline = false; setOffline(false); save(); });
    window.addEventListener("pagehide", function () {
      if (!form.isConnected || !(dirty || timer)) { return; }
      keepLocal(form);  // removed again once the next page has saved it
      if (navigator.sendBeacon) { navigator.sendBeacon(url, body()); }
    });
    if (dirtyNow) { changed(); }  // answers restored from this browser: give them to the server
  }

  // Send an interview or review form with fetch and show the answer in place; without
  // network, wait and try again (the server stores an application number once).
  function sendForm(form) {
    if (form.getAttribute("data-busy") === "1") { return; }
    if (!window.fetch) { form.submit(); return; }
    setBusy(form, true);
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                         headers: { "X-Requested-With": "fetch" } })
      .then(function (resp) {
        if (resp.status >= 500) { throw new Error("server " + resp.status); }
        if (/\/assessments\//.test(resp.url)) { clearLocal(); }
        if (/\/login/.test(resp.url) && form.hasAttribute("data-interview-form")) { keepLocal(form); }
        // Show the answer as it came (the review, the result after the redirect, or the
        // form with errors): fetching it again would lose its one-time notices.
        return resp.text().then(function (html) { replacePage(html, resp.url); });
      })
      .catch(function () {
        if (form.hasAttribute("data-interview-form")) { keepLocal(form); }
        showNetFail(form, true);
        setBusy(form, false);
        form.setAttribute("data-busy", "1");  // waiting: a tap now would send twice
        retryLater(function () {
          form.setAttribute("data-busy", "");
          showNetFail(form, false);
          sendForm(form);
        });
      });
  }

  function guardDoubleSubmit(form) {
    form.addEventListener("submit", function (ev) {
      if (form.getAttribute("data-busy") === "1") { ev.preventDefault(); return; }
      // Disable after the browser has collected the form data.
      setTimeout(function () { setBusy(form, true); }, 0);
    });
  }

  // Each cell of a list or `table.stack` without its own `data-label` takes its column's
  // header, so that the narrow-screen stacks (ews.css) keep every value with its header (a
  // cell across several columns, "no data", keeps none).
  function labelCells(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) { return; }
    var names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < th.colSpan; i++) { names.push(th.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          if (cell.tagName === "TD" && cell.colSpan === 1 && !cell.hasAttribute("data-label") &&
              names[col]) {
            cell.setAttribute("data-label", names[col]);
          }
          col += cell.colSpan;
        });
      });
    });
  }

  // A table wider than its scrolling box can be scrolled from the keyboard too (the box
  // takes focus only while it actually scrolls).
  function focusScrollers() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) { box.tabIndex = 0; } else { box.removeAttribute("tabindex"); }
    });
  }

  function init() {
    document.querySelectorAll("table.list, table.stack").forEach(labelCells);
    focusScrollers();
    window.addEventListener("resize", focusScrollers);
    document.querySelectorAll("form").forEach(function (form) {
      if (form.hasAttribute("data-enhanced")) { return; }
      form.setAttribute("data-enhanced", "");
      if (form.hasAttribute("data-interview-form")) {
        enhanceInterview(form);
      } else if (form.hasAttribute("data-store-form")) {
        form.addEventListener("submit", function (ev) { ev.preventDefault(); sendForm(form); });
      } else if (form.querySelector("[data-submit]")) {
        guardDoubleSubmit(form);
      }
    });
    var interview = document.querySelector("[data-interview-form]");
    document.querySelectorAll(".lang-switch").forEach(function (sw) {
      sw.addEventListener("submit", function () {
        var ss = store("sessionStorage");
        if (interview && ss) { ss.setItem(CARRY, JSON.stringify(entriesOf(interview))); }
      });
    });
    document.querySelectorAll("form[data-logout]").forEach(function (f) {
      f.addEventListener("submit", function () { signingOut = true; clearLocal(); });
    });
    // After a form was sent, move focus to what the server said (errors first, then the
    // notice), so that keyboard and screen-reader users hear it and start from there.
    var said = document.getElementById("error-summary") || document.getElementById("decision-errors") ||
      document.getElementById("filter-errors") ||
      document.querySelector("[data-flash]:not([data-flash='info'])");
    if (said) {
      if (!said.hasAttribute("tabindex")) { said.setAttribute("tabindex", "-1"); }
      said.focus();
    }
  }

  window.addEventListener("popstate", function () {
    // Pages replaced in place (after a sent form) have no DOM of their own to go back to;
    // a same-page (#) link or going back over one stays on this document, answers intact.
    if (withoutHash(location.href) !== shown) { location.reload(); }
  });
  window.addEventListener("pageshow", function (ev) {
    // Coming back through the history cache: forms must be usable again.
    if (ev.persisted) {
      document.querySelectorAll("form[data-busy='1']").forEach(function (f) { setBusy(f, false); });
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

/* Country picker (destination and transit): type a name in Indonesian or English, or a
 * code; suggestions come from the page's embedded list (#country-data), never the network.
 * Arrow keys move, Enter or a tap picks, Escape closes. The input keeps the name; the
 * server stores the code. Kept apart from the form script above on purpose. */
(function () {
  "use strict";
  var SHOWN = 8;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  // A row [code, name, other names...] matches when the code is what was typed, or a
  // name or one of its words starts with it.
  function matches(row, typed) {
    if (typed.length <= 2 && fold(row[0]) === typed) { return true; }
    return row.slice(1).some(function (name) {
      var f = fold(name);
      return f.indexOf(typed) === 0 || f.split(/[\s(-]+/).some(function (w) { return w.indexOf(typed) === 0; });
    });
  }

  function countryPicker(input, rows) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var found = [], active = -1;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      found = []; active = -1;
    }
    function pick(i) {
      input.value = found[i][1];
      close();
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, n) {
        li.setAttribute("aria-selected", n === i ? "true" : "false");
      });
      if (i >= 0) { input.setAttribute("aria-activedescendant", list.children[i].id); }
    }
    function suggest() {
      var typed = fold(input.value);
      close();
      if (!typed) { return; }
      found = rows.filter(function (row) { return matches(row, typed); }).slice(0, SHOWN);
      // What was typed is already a code or a whole name: nothing to suggest.
      if (found.some(function (row) { return fold(row[0]) === typed || fold(row[1]) === typed; })) {
        found = [];
      }
      if (!found.length) { return; }
      found.forEach(function (row, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-code", row[0]);
        li.textContent = row[1] + (row[2] && fold(row[2]) !== fold(row[1]) ? " · " + row[2] : "");
        // pointerdown keeps the focus in the input; click (tap or mouse) picks.
        li.addEventListener("pointerdown", function (ev) { ev.preventDefault(); });
        li.addEventListener("click", function () { pick(i); input.focus(); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    input.addEventListener("input", function (ev) { if (ev.isTrusted) { suggest(); } });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) { return; }
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        var step = ev.key === "ArrowDown" ? 1 : -1;
        mark((active + step + found.length) % found.length);
      } else if (ev.key === "Enter") {
        ev.preventDefault();  // never sends the form; picks the marked (or only) suggestion
        if (active >= 0 || found.length === 1) { pick(Math.max(active, 0)); }
      } else if (ev.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init() {
    var data = document.getElementById("country-data");
    if (!data) { return; }
    var rows = JSON.parse(data.textContent);
    document.querySelectorAll("input[data-country]").forEach(function (input) {
      countryPicker(input, rows);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
