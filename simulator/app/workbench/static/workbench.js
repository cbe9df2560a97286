// segsim workbench: the set-up form (policy parameters, live checks), copy buttons, run progress.
"use strict";

function showParams(select) {
  document.querySelectorAll(`.params[data-for="${select.name}"]`).forEach((group) => {
    group.hidden = group.dataset.policy !== select.value;
  });
}

let checkTimer = null;
function scheduleCheck(form) {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(() => checkForm(form), 250);
}

async function checkForm(form) {
  const reply = await fetch("/api/check", {method: "POST", body: new FormData(form)});
  const result = await reply.json();
  document.getElementById("command").textContent = result.command;
  document.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
  const top = document.getElementById("form-error");
  top.textContent = result.error;
  top.hidden = !result.error;
  if (result.error && result.field) {
    const slot = document.querySelector(`.field-error[data-error-for="${result.field}"]`);
    if (slot) slot.textContent = result.error;
  }
  document.getElementById("run-button").disabled = Boolean(result.error);
}

function copyText(id, button) {
  const text = document.getElementById(id).textContent;
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy command line"; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => selectText(id));
  } else {
    selectText(id);
  }
}

function selectText(id) {
  const range = document.createRange();
  range.selectNodeContents(document.getElementById(id));
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

async function follow(box) {
  const reply = await fetch(`/api/status?dir=${encodeURIComponent(box.dataset.dir)}`);
  const run = await reply.json();
  document.getElementById("progress").value = run.progress;
  document.getElementById("phase").textContent = run.phase;
  if (run.status === "running") {
    setTimeout(() => follow(box), 400);
  } else {
    window.location.reload();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("setup-form");
  if (form) {
    form.querySelectorAll("select.policy-choice").forEach((s) => s.addEventListener("change", () => showParams(s)));
    form.querySelectorAll("select.group").forEach((s) => s.addEventListener("change", () => {
      const q = new URLSearchParams();
      form.querySelectorAll("select.group").forEach((g) => q.set(g.name, g.value));
      window.location = `/?${q}`;
    }));
    form.addEventListener("input", () => scheduleCheck(form));
    form.addEventListener("change", () => scheduleCheck(form));
  }
  document.querySelectorAll("button.copy").forEach((b) => b.addEventListener("click", () => copyText(b.dataset.copy, b)));
  const box = document.getElementById("progress-box");
  if (box) follow(box);
});
