// Below 576 px the rows of a record list are shown as cards (portal.css): each cell gets the
// heading of its column as a label, since the table's own heading row is not shown there.
(() => {
  document.querySelectorAll("table.record-list").forEach((table) => {
    const labels = Array.from(table.querySelectorAll("thead th"), (th) =>
      th.textContent.replace(/[▲▼]/g, "").trim(),
    );
    table.querySelectorAll("tbody tr").forEach((row) => {
      Array.from(row.cells).forEach((cell, index) => {
        if (!cell.dataset.label && labels[index]) cell.dataset.label = labels[index];
      });
    });
  });
})();
