/* EWS pages: small progressive enhancements. Every page works without this file.
 *  - conditional questions: shown only when their `data-applies-when` condition holds and
 *    their `data-applies-unless` one does not; hidden ones are disabled so they are sent as
 *    "not asked"; `is_minor` is derived here as on the server;
 *  - "none of these" (one per section) answers the section's unanswered yes/no questions
 *    with "no" at once (without this script the server does it and shows the form again);
 *  - the interview form is sent with fetch: on a network failure the answers stay in this
 *    browser (localStorage) and the officer can retry; a retry is safe because the server
 *    is idempotent on the application number;
 *  - a second tap on a submit button while a submission is running does nothing.
 */
(function () {
  "use strict";
  var PENDING = "ews.pending";      // answers of a submission that did not reach the server
  var CARRY = "ews.carry";          // answers carried across a language switch (this tab only)
  var MAX_AGE_MS = 24 * 3600 * 1000;
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

  function savePending(form) {
    var ls = store("localStorage");
    if (!ls) { return; }
    var entries = entriesOf(form);
    var appNo = (entries.filter(function (kv) { return kv[0] === "application_id"; })[0] || [])[1];
    ls.setItem(PENDING, JSON.stringify({ user: userKey(), at: Date.now(), application_id: appNo || "",
                                         entries: entries }));
  }

  function loadPending() {
    var ls = store("localStorage");
    if (!ls) { return null; }
    try {
      var p = JSON.parse(ls.getItem(PENDING) || "null");
      if (p && (Date.now() - p.at > MAX_AGE_MS || p.user !== userKey())) {
        ls.removeItem(PENDING);
        return null;
      }
      return p;
    } catch (e) { ls.removeItem(PENDING); return null; }
  }

  function clearPending() {
    var ls = store("localStorage");
    if (ls) { ls.removeItem(PENDING); }
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

    var banner = document.querySelector("[data-pending-banner]");
    var pending = loadPending();
    if (banner && pending) {
      var text = banner.querySelector("[data-pending-text]");
      if (text && pending.application_id) { text.textContent += " (" + pending.application_id + ")"; }
      banner.hidden = false;
      banner.querySelector("[data-pending-restore]").addEventListener("click", function () {
        fill(form, pending.entries);
        banner.hidden = true;
        var btn = form.querySelector("[data-submit]");
        if (btn) { btn.focus(); }
      });
      banner.querySelector("[data-pending-discard]").addEventListener("click", function () {
        clearPending();
        banner.hidden = true;
      });
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (form.getAttribute("data-busy") === "1") { return; }
      if (!window.fetch) { form.submit(); return; }
      setBusy(form, true);
      showNetFail(form, false);
      savePending(form);  // kept until the server has answered with a result or errors
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { "X-Requested-With": "fetch" } })
        .then(function (resp) {
          if (resp.status >= 500) { throw new Error("server " + resp.status); }
          var done = resp.status === 422 || /\/assessments\//.test(resp.url);
          if (done) { clearPending(); }
          // Show the answer as it came (the result page after the redirect, or the form
          // with errors): fetching it again would lose its one-time notices.
          return resp.text().then(function (html) { replacePage(html, resp.url); });
        })
        .catch(function () {
          setBusy(form, false);
          showNetFail(form, true);
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

  function init() {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.hasAttribute("data-enhanced")) { return; }
      form.setAttribute("data-enhanced", "");
      if (form.hasAttribute("data-interview-form")) {
        enhanceInterview(form);
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
      f.addEventListener("submit", clearPending);
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
