// Searchable pickers (portal/pickers.py): a <select data-picker-url> holds only its chosen
// options; Tom Select asks the URL for the choices matching what the user types. Rows added
// to a formset later get their pickers too.
(() => {
  function choicesUrl(select, query) {
    const url = new URL(select.dataset.pickerUrl, window.location.href);
    url.searchParams.set("q", query);
    return url;
  }

  function escape(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function makePicker(select) {
    if (select.tomselect || select.closest("template")) return;
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      // The server has searched already (in Thai, within the user's scope): keep its order.
      score: () => () => 1,
      preload: "focus",
      loadThrottle: 250,
      maxOptions: null,
      placeholder: select.dataset.pickerPlaceholder,
      plugins: select.multiple
        ? { remove_button: { title: select.dataset.pickerRemove } }
        : { clear_button: { title: select.dataset.pickerClear } },
      load(query, callback) {
        fetch(choicesUrl(select, query), { headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then((data) => callback(data.results))
          .catch(() => callback());
      },
      render: {
        no_results: () => `<div class="no-results">${escape(select.dataset.pickerEmpty)}</div>`,
      },
    });
    hideFromAssistiveTechnology(select);
  }

  // Tom Select's own text box is the combobox that the <label> names; the <select> it keeps
  // for the form stays hidden from screen readers and the keyboard alike (no second,
  // nameless combobox).
  function hideFromAssistiveTechnology(select) {
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
  }

  function makePickers(root) {
    root.querySelectorAll("select[data-picker-url]").forEach(makePicker);
  }

  makePickers(document);
  new MutationObserver((changes) => {
    changes.forEach((change) =>
      change.addedNodes.forEach((node) => {
        if (node.nodeType === Node.ELEMENT_NODE) makePickers(node);
      }),
    );
  }).observe(document.body, { childList: true, subtree: true });
})();
