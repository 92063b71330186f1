// The questionnaire page: autosave each answer, and show or hide conditional questions.
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
  function refreshVisibility() {
    // Questions are in order and only depend on earlier ones, so one pass suffices.
    form.querySelectorAll("fieldset.question[data-show-if]").forEach(function (fs) {
      var shown = test(JSON.parse(fs.dataset.showIf));
      fs.hidden = !shown;
      if (!shown) { delete answers[fs.dataset.qid]; }
    });
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

  function state(fs, text, cls) {
    var p = fs.querySelector(".save-state");
    p.textContent = text;
    p.className = "save-state " + (cls || "");
  }

  function save(fs) {
    var qid = fs.dataset.qid;
    var versionInput = fs.querySelector('input[name="v_' + qid + '"]');
    var comment = fs.querySelector('[name="c_' + qid + '"]');
    var value = valueOf(fs);
    if (value === NOT_A_NUMBER) {
      state(fs, "Not saved: enter a number, such as 250.", "error");
      fs.classList.add("has-error");
      return;
    }
    var body = {
      question: qid,
      value: value,
      comment: comment ? comment.value : null,
      version: Number(versionInput.value || 0)
    };
    state(fs, "Saving…", "");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) {
          versionInput.value = data.version;
          if (value === null || (Array.isArray(value) && value.length === 0)) { delete answers[qid]; } else { answers[qid] = value; }
          state(fs, "Saved", "ok");
          fs.classList.remove("has-error");
          Object.keys(data.sections || {}).forEach(function (id) {
            var el = document.querySelector('.pct[data-section="' + id + '"]');
            if (el) { el.textContent = data.sections[id] + "%"; }
          });
          document.getElementById("overall").value = data.overall;
          document.getElementById("overall-pct").textContent = data.overall;
          refreshVisibility();
        } else if (response.status === 409) {
          state(fs, (data.error || "Changed by someone else.") + " ", "conflict");
          var again = document.createElement("a");
          again.href = window.location.pathname;
          again.textContent = "Reload";
          fs.querySelector(".save-state").appendChild(again);
        } else {
          state(fs, data.error || ("Not saved (error " + response.status + ")."), "error");
          fs.classList.add("has-error");
        }
      });
    }).catch(function () {
      state(fs, "Not saved: the connection failed. Use the Save button below.", "error");
    });
  }

  form.addEventListener("change", function (event) {
    var fs = event.target.closest("fieldset.question");
    if (fs) { clearTimeout(timers[fs.dataset.qid]); save(fs); }
  });
  form.addEventListener("input", function (event) {
    var fs = event.target.closest("fieldset.question");
    if (!fs || event.target.type === "radio" || event.target.type === "checkbox") { return; }
    clearTimeout(timers[fs.dataset.qid]);
    timers[fs.dataset.qid] = setTimeout(function () { save(fs); }, 800);
  });
  refreshVisibility();
}());
