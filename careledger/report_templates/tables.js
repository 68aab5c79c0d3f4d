/* Sort and filter the tables of the internal reports in the browser: no server, no external file.
   Progressive: without this script every table is complete. It adds, above each table of the page's main part, a
   filter box and a row count (to each table of two rows or more), and turns each column heading into a button that sorts by that column (numbers as
   numbers, the rest in Chinese order). Works from file:// and from an intranet server alike. */
(function () {
  "use strict";
  var collator = new Intl.Collator("zh-CN", { numeric: true });

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.trim() : "";
  }

  function asNumber(text) {
    return /^-?\d+(\.\d+)?$/.test(text) ? parseFloat(text) : null;
  }

  function compare(a, b) {
    var x = asNumber(a), y = asNumber(b);
    if (x !== null && y !== null) return x - y;
    if (a === "" || b === "") return a === "" ? (b === "" ? 0 : 1) : -1;
    return collator.compare(a, b);
  }

  function sortBy(table, index, button) {
    var body = table.tBodies[0];
    var heading = button.parentNode;
    var descending = heading.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows).map(function (row, i) { return [row, i]; });
    rows.sort(function (a, b) {
      var order = compare(cellText(a[0], index), cellText(b[0], index));
      if (order === 0) return a[1] - b[1];
      return descending ? -order : order;
    });
    rows.forEach(function (pair) { body.appendChild(pair[0]); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function filter(table, text, count) {
    var words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0, rows = table.tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var line = rows[i].textContent.toLowerCase();
      var match = words.every(function (w) { return line.indexOf(w) !== -1; });
      rows[i].hidden = !match;
      if (match) shown++;
    }
    count.textContent = "显示 " + shown + " / " + rows.length + " 行";
  }

  function enhance(table, n) {
    if (!table.tHead || !table.tBodies.length || !table.tHead.rows.length) return;
    if (table.tBodies[0].rows.length < 2) return;  // nothing to sort or filter
    var tools = document.createElement("div");
    tools.className = "table-tools";
    var label = document.createElement("label");
    var id = "filter-" + n;
    label.setAttribute("for", id);
    label.textContent = "筛选";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.placeholder = "姓名、村、编号、电话…";
    input.title = "只显示含这些文字的行；空格分隔的几个词须同时出现";
    var count = document.createElement("output");
    count.setAttribute("aria-live", "polite");
    count.htmlFor = id;
    tools.appendChild(label);
    tools.appendChild(input);
    tools.appendChild(count);
    var box = table.closest(".table-scroll") || table;  // above the scrolling box, so it stays in view
    box.parentNode.insertBefore(tools, box);
    input.addEventListener("input", function () { filter(table, input.value, count); });
    filter(table, "", count);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "按此列排序";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, button); });
    });
  }

  function start() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) enhance(tables[i], i + 1);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
