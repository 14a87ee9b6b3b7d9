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
        for (const field of notes.querySelectorAll("textarea, input[name=version], input[name=authority_declared]")) {
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
