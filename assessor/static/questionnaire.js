// The questionnaire page: autosave each answer, and show or hide conditional questions
// (announcing those an answer reveals).
// Works without this file too: the page's buttons save the whole section.
(function () {
  "use strict";
  var form = document.getElementById("qform");
  if (!form || !window.fetch) { return; }
  var url = form.dataset.autosave;
  var role = form.dataset.role;
  var answers = JSON.parse(form.dataset.answers || "{}");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var timers = {};

  // --- conditions: the same semantics as the engine (assessor/engine/conditions.py) -------
  function same(a, b) { return String(a) === String(b); }
  function eq(answer, operand) {
    if (Array.isArray(answer)) { return answer.some(function (x) { return same(x, operand); }); }
    return same(answer, operand);
  }
  function inList(answer, list) {
    var values = Array.isArray(answer) ? answer : [answer];
    return values.some(function (v) { return list.some(function (x) { return same(v, x); }); });
  }
  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  var OPS = {
    eq: eq,
    ne: function (a, o) { return !eq(a, o); },
    "in": inList,
    not_in: function (a, o) { return !inList(a, o); },
    gt: function (a, o) { return isNumber(a) && a > o; },
    gte: function (a, o) { return isNumber(a) && a >= o; },
    lt: function (a, o) { return isNumber(a) && a < o; },
    lte: function (a, o) { return isNumber(a) && a <= o; },
    answered: function (a, o) { return o; }
  };
  function test(cond) {
    if (cond.all) { return cond.all.every(test); }
    if (cond.any) { return cond.any.some(test); }
    if (cond.not) { return !test(cond.not); }
    if (cond.respondent_role) { return cond.respondent_role === role; }
    var answered = Object.prototype.hasOwnProperty.call(answers, cond.q);
    for (var op in OPS) {
      if (Object.prototype.hasOwnProperty.call(cond, op) && op !== "q") {
        if (!answered) { return op === "ne" || (op === "answered" && cond.answered === false); }
        return OPS[op](answers[cond.q], cond[op]);
      }
    }
    return false;
  }
  // Questions an answer reveals are said through a polite live region (#revealed), so
  // that someone who cannot see them appear knows they are there.
  var revealed = document.getElementById("revealed");
  function questionText(fs) {
    var legend = fs.querySelector("legend");
    return legend && legend.firstChild ? legend.firstChild.nodeValue.trim() : "";
  }
  function announce(shownNow) {
    if (!revealed || shownNow.length === 0) { return; }
    var texts = shownNow.map(questionText);
    revealed.textContent = (texts.length === 1 ? "A new question below: " : texts.length + " new questions below: ") + texts.join("; ");
  }
  function refreshVisibility(announcing) {
    // Questions are in order and only depend on earlier ones, so one pass suffices.
    var shownNow = [];
    form.querySelectorAll("fieldset.question[data-show-if]").forEach(function (fs) {
      var shown = test(JSON.parse(fs.dataset.showIf));
      if (shown && fs.hidden) { shownNow.push(fs); }
      fs.hidden = !shown;
      if (!shown) { delete answers[fs.dataset.qid]; }
    });
    if (announcing) { announce(shownNow); }
  }

  // --- reading a question's value ------------------------------------------------------
  var NOT_A_NUMBER = {};
  function valueOf(fs) {
    var kind = fs.dataset.kind, qid = fs.dataset.qid;
    if (kind === "multi") {
      return Array.prototype.map.call(fs.querySelectorAll('input[name="' + qid + '"]:checked'), function (i) { return i.value; });
    }
    if (kind === "number" || kind === "text") {
      var el = fs.querySelector('[name="' + qid + '"]');
      // A number field holding text the browser can't read as a number reports an empty
      // value: that must not save as "no answer" over the one stored.
      if (kind === "number" && el.validity && el.validity.badInput) { return NOT_A_NUMBER; }
      if (el.value.trim() === "") { return null; }
      if (kind === "text") { return el.value; }
      var number = Number(el.value);
      return isFinite(number) ? number : NOT_A_NUMBER;
    }
    var checked = fs.querySelector('input[name="' + qid + '"]:checked');
    if (!checked) { return null; }
    return kind === "maturity" ? Number(checked.value) : checked.value;
  }

  // The save's state; a failed save's message describes the question's answer (its
  // group or input, data-answer) and marks it invalid until a save succeeds.
  function state(fs, text, cls) {
    var p = fs.querySelector(".save-state");
    p.textContent = text;
    p.className = "save-state " + (cls || "");
    var answer = fs.querySelector("[data-answer]");
    if (!answer) { return; }
    var failed = cls === "error" || cls === "conflict";
    var ids = (answer.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== p.id;
    });
    if (failed) { ids.push(p.id); }
    if (ids.length) { answer.setAttribute("aria-describedby", ids.join(" ")); } else { answer.removeAttribute("aria-describedby"); }
    if (failed) { answer.setAttribute("aria-invalid", "true"); } else if (cls === "ok") { answer.removeAttribute("aria-invalid"); }
  }

  // --- autosave: one save in flight for the page, each naming the version the last returned --
  // One respondent's own saves must never conflict with each other.  A question changed
  // while a save is in flight waits its turn (once, however often it changes) and sends
  // what it holds when its turn comes, with the version the save before it returned; so
  // saves are stored in the order they were made, and "Saved" is said only when what the
  // question shows is what is stored.  Another tab or device still gets the conflict.
  var waiting = [];  // fieldsets with a change not yet sent, in the order they changed
  var sending = false;

  function autosave(fs) {
    clearTimeout(timers[fs.dataset.qid]);
    delete timers[fs.dataset.qid];
    if (waiting.indexOf(fs) < 0) { waiting.push(fs); }
    state(fs, "Saving…", "");
    sendNext();
  }

  function sendNext() {
    if (sending || waiting.length === 0) { return; }
    sending = true;
    send(waiting.shift()).then(function () {
      sending = false;
      sendNext();
    });
  }

  // A later change of the question is waiting (or being typed): what this save stored is
  // no longer what the question shows.
  function changedSince(fs) {
    return waiting.indexOf(fs) >= 0 || Object.prototype.hasOwnProperty.call(timers, fs.dataset.qid);
  }

  function send(fs) {
    var qid = fs.dataset.qid;
    var versionInput = fs.querySelector('input[name="v_' + qid + '"]');
    var comment = fs.querySelector('[name="c_' + qid + '"]');
    var value = valueOf(fs);
    if (value === NOT_A_NUMBER) {
      state(fs, "Not saved: enter a number, such as 250.", "error");
      fs.classList.add("has-error");
      return Promise.resolve();
    }
    var body = {
      question: qid,
      value: value,
      comment: comment ? comment.value : null,
      version: Number(versionInput.value || 0)
    };
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          versionInput.value = data.version;
          if (value === null || (Array.isArray(value) && value.length === 0)) { delete answers[qid]; } else { answers[qid] = value; }
          Object.keys(data.sections || {}).forEach(function (id) {
            var el = document.querySelector('.pct[data-section="' + id + '"]');
            if (el) { el.textContent = data.sections[id] + "%"; }
          });
          document.getElementById("overall").value = data.overall;
          document.getElementById("overall-pct").textContent = data.overall;
          refreshVisibility(true);
          if (!changedSince(fs)) {
            state(fs, "Saved", "ok");
            fs.classList.remove("has-error");
          }
        } else if (response.status === 409) {
          // Someone else's save came first: a later change of this page would be refused
          // the same way, so it is not sent.
          waiting = waiting.filter(function (other) { return other !== fs; });
          state(fs, (data.error || "Changed by someone else.") + " ", "conflict");
          var again = document.createElement("a");
          again.href = window.location.pathname;
          again.textContent = "Reload";
          fs.querySelector(".save-state").appendChild(again);
        } else if (!changedSince(fs)) {  // a refused value already replaced is no news
          state(fs, data.error || ("Not saved (error " + response.status + ")."), "error");
          fs.classList.add("has-error");
        }
      });
    }).catch(function () {
      if (!changedSince(fs)) {
        state(fs, "Not saved: the connection failed. Use the Save button below.", "error");
      }
    });
  }

  form.addEventListener("change", function (event) {
    var fs = event.target.closest("fieldset.question");
    if (fs) { autosave(fs); }
  });
  form.addEventListener("input", function (event) {
    var fs = event.target.closest("fieldset.question");
    if (!fs || event.target.type === "radio" || event.target.type === "checkbox") { return; }
    var qid = fs.dataset.qid;
    clearTimeout(timers[qid]);
    timers[qid] = setTimeout(function () { autosave(fs); }, 800);
    state(fs, "", "");  // what was saved is no longer what the question shows
  });
  refreshVisibility(false);
}());
