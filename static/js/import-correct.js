// The import centre's "correct this row": without script, the link reloads the page with the
// row's form open; with it, the form is fetched and opened under its row in place (the page
// keeps its scroll), and "cancel" closes it. Saving is the form's own POST either way.
// No inline script (CSP self-only).
(function () {
  "use strict";
  var table = document.getElementById("preview-table");
  if (!table || !window.fetch || !window.DOMParser) {
    return;
  }

  // Close a row's form; its link again, if the page has one (a form the server opened has
  // none: "cancel" then reloads the page without it, as without script).
  function close(formRow, cancel) {
    var row = formRow.previousElementSibling;
    var link = row && row.querySelector(".correct-link");
    if (!link && cancel) {
      window.location.href = cancel.href;
      return;
    }
    formRow.parentNode.removeChild(formRow);
    if (link) {
      link.hidden = false;
      if (cancel) {
        link.focus();
      }
    }
  }

  function open(link) {
    var row = link.closest("tr");
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        var page = html && new DOMParser().parseFromString(html, "text/html");
        var formRow = page && page.querySelector("tr.row-correction-form");
        if (!formRow) {
          window.location.href = link.href; // as without script
          return;
        }
        formRow = document.importNode(formRow, true);
        row.parentNode.insertBefore(formRow, row.nextSibling);
        link.hidden = true;
        var first = formRow.querySelector("input.is-invalid, input[type=text]");
        if (first) {
          first.focus();
        }
      })
      .catch(function () {
        window.location.href = link.href;
      });
  }

  table.addEventListener("click", function (event) {
    var link = event.target.closest("a.correct-link");
    if (link) {
      event.preventDefault();
      var opened = table.querySelector("tr.row-correction-form");
      if (opened) {
        close(opened, null); // one form open at a time
      }
      open(link);
      return;
    }
    var cancel = event.target.closest("tr.row-correction-form a.correct-cancel");
    if (cancel) {
      event.preventDefault();
      close(cancel.closest("tr"), cancel);
    }
  });
})();
