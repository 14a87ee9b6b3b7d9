// Small progressive enhancements. Every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Confirmation before destructive actions: <form data-confirm="...">. Without JS the server asks instead.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
  // Language select submits on change; the button stays for keyboard and no-JS users.
  const language = document.getElementById("language-select");
  if (language) {
    language.addEventListener("change", () => language.form.submit());
  }
  // A page with several forms: a form with typed text that is not saved makes the browser ask before the page is
  // left (a link, or another form's button). <form data-unsaved-warning> asks for it on a page with one form. An
  // extra: where it matters the server keeps the text itself (one form per page, kreds.core.sections), and the
  // meeting screen's notes travel with its other forms (below).
  const posted = [...document.querySelectorAll("main form[method=post]")];
  const typed = "textarea, select, input:not([type]), input[type=text], input[type=email], input[type=tel], " +
    "input[type=date], input[type=time], input[type=number], input[type=radio], input[type=checkbox]";
  const guarded = posted.filter((form) => form.id !== "notes-form" && (form.hasAttribute("data-unsaved-warning") ||
    (posted.length > 1 && form.querySelector(typed))));
  if (guarded.length) {
    const dirty = new Set();
    for (const form of guarded) {
      form.addEventListener("input", () => dirty.add(form));
      form.addEventListener("change", () => dirty.add(form));
      form.addEventListener("submit", (event) => {
        if (!event.defaultPrevented) dirty.delete(form);
      });
    }
    window.addEventListener("beforeunload", (event) => {
      if (dirty.size) {
        event.preventDefault();
        event.returnValue = true;
      }
    });
  }
  // Meeting screen: forms for the speaking order, attendance, agreements and completion also carry the notes
  // typed so far, so nothing is lost when the facilitator moves on (the server saves them first).
  const notes = document.getElementById("notes-form");
  if (notes) {
    let dirty = false;
    notes.addEventListener("input", () => { dirty = true; });
    notes.addEventListener("submit", () => { dirty = false; });
    for (const form of document.querySelectorAll("form[data-carry-notes]")) {
      form.addEventListener("submit", (event) => {
        if (event.defaultPrevented) return;
        const carried = "textarea, input[name=version], input[name=authority_declared], input[name=stale_keep]";
        for (const field of notes.querySelectorAll(carried)) {
          if (field.type === "checkbox" && !field.checked) continue;
          const copy = document.createElement("input");
          copy.type = "hidden";
          copy.name = field.name;
          copy.value = field.value;
          form.appendChild(copy);
        }
        dirty = false;
      });
    }
    window.addEventListener("beforeunload", (event) => {
      if (dirty) event.preventDefault();
    });
  }
});

// Where focus starts on a page (issue 14). Without this file the server's messages and #anchors still say it all.
// 1. A person just moved in the network list ("Closer"/"Further out"): focus stays on that person (the same
//    button when it is still there) and the move is announced in the list's status region.
// 2. A form that came back with errors: its error summary, else its first field in error.
// 3. A page whose main content is one form (no table, the form in view): its first field.
(() => {
  const FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  const visible = (el) => el.getClientRects().length > 0;

  document.addEventListener("submit", (event) => {
    const direction = event.submitter && event.submitter.dataset.direction;
    if (direction) sessionStorage.setItem("kreds-move-direction", direction);
  });

  function afterMove(note) {
    const row = note.closest("tr");
    const direction = sessionStorage.getItem("kreds-move-direction");
    sessionStorage.removeItem("kreds-move-direction");
    const target = (row && (row.querySelector(`button[data-direction="${direction}"]`) || row.querySelector("button[data-direction]"))) || row || note;
    if (!target.matches("button, a, input, select, textarea")) target.tabIndex = -1;
    // After the browser has gone to the #person-… anchor (which focuses the row itself).
    const focus = () => setTimeout(() => target.focus(), 0);
    if (document.readyState === "complete") focus();
    else window.addEventListener("load", focus, { once: true });
    const status = document.getElementById("move-status");
    // A status region only speaks when its text changes after the page has loaded.
    if (status) setTimeout(() => { status.textContent = note.textContent; }, 250);
  }

  function formErrors(main) {
    const summary = main.querySelector("form .alert-error[role=alert]");
    const invalid = [...main.querySelectorAll("form [aria-invalid=true]")].find(visible);
    const target = summary || invalid;
    if (!target) return false;
    if (target === summary) summary.tabIndex = -1;
    target.focus();
    return true;
  }

  function mainForm(main) {
    if (main.querySelector("table")) return;
    const forms = [...main.querySelectorAll("form")].filter(
      (form) => form.method.toLowerCase() === "post" && [...form.querySelectorAll(FIELDS)].some(visible),
    );
    if (forms.length !== 1) return;
    const field = [...forms[0].querySelectorAll(FIELDS)].find(visible);
    if (field.getBoundingClientRect().bottom > window.innerHeight) return;
    field.focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const main = document.getElementById("main-content");
    if (!main) return;
    const note = main.querySelector("[data-moved-note]");
    if (note) {
      afterMove(note);
      return;
    }
    if (formErrors(main) || window.location.hash) return;
    mainForm(main);
  });
})();
