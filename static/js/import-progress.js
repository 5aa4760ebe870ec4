// The import centre's progress bar: asks the server how far the background work on a batch
// is, every second, and reloads the page when it is done. No inline script (CSP self-only).
(function () {
  "use strict";
  var section = document.getElementById("batch-progress");
  if (!section) {
    return;
  }
  var url = section.getAttribute("data-progress-url");
  var bar = document.getElementById("batch-progress-bar");
  var text = document.getElementById("batch-progress-text");

  function show(state) {
    // While importing or undoing (one transaction each), the bar stays indeterminate.
    if (state.total > 0 && state.status === "checking") {
      bar.max = state.total;
      bar.value = state.done;
      text.textContent = state.done.toLocaleString() + " / " + state.total.toLocaleString();
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (state) {
        if (!state) {
          window.setTimeout(poll, 3000);
          return;
        }
        show(state);
        if (state.working) {
          window.setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () {
        window.setTimeout(poll, 3000);
      });
  }

  window.setTimeout(poll, 1000);
})();
