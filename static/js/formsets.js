// Add and remove rows of inline formsets without a page reload. A removed row is hidden and
// its DELETE box ticked, so the server archives it (or ignores it, for a row never saved).
document.querySelectorAll("[data-formset]").forEach((formset) => {
  const prefix = formset.dataset.formset;
  const total = formset.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const rows = formset.querySelector(".formset-rows");
  const template = formset.querySelector("template.formset-empty");

  formset.querySelector(".formset-add").addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = rows.lastElementChild;
    const first = added.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  });

  rows.addEventListener("click", (event) => {
    const button = event.target.closest(".formset-remove");
    if (!button) return;
    const row = button.closest(".formset-row");
    const remove = row.querySelector('input[name$="-DELETE"]');
    if (remove) remove.checked = true;
    row.hidden = true;
  });
});
