/* careledger 站内搜索：在本地索引 search-index.js 中查找，不联网；没有脚本时页面列出全部条目。 */
(function () {
  "use strict";
  var index = window.CARELEDGER_SEARCH || [];
  var input = document.getElementById("q");
  var results = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var all = document.getElementById("search-all");
  if (!input || !results || !status || !all) {
    return;
  }

  function norm(text) {
    return String(text || "").normalize("NFKC").toLowerCase();
  }

  var prepared = index.map(function (entry) {
    return { entry: entry, text: norm(entry.t + " " + entry.k + " " + entry.s) };
  });

  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  // One result: what it is (公示对象, 村（社区）…), its title as a link, then what tells it from a like one: the
  // village, the 公示编号, category and level (or a cadre's post), and the page it opens.
  function result(entry) {
    var li = document.createElement("li");
    li.appendChild(span("kind", entry.k));
    li.appendChild(document.createTextNode(" "));
    var a = document.createElement("a");
    a.href = entry.u;
    a.textContent = entry.t;
    li.appendChild(a);
    var facts = [];
    if (entry.v && entry.t.indexOf(entry.v) === -1) facts.push(entry.v);
    if (entry.n) facts.push("公示编号 " + entry.n);
    if (entry.d) facts.push(entry.d);
    if (facts.length) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(span("facts", facts.join(" · ")));
    }
    if (entry.p && entry.p !== entry.t) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(span("page", "见" + entry.p));
    }
    return li;
  }

  function show(query) {
    var terms = norm(query).split(/\s+/).filter(Boolean);
    while (results.firstChild) {
      results.removeChild(results.firstChild);
    }
    if (!terms.length) {
      results.hidden = true;
      all.hidden = false;
      status.textContent = "";
      return;
    }
    var found = prepared.filter(function (item) {
      return terms.every(function (term) { return item.text.indexOf(term) !== -1; });
    });
    found.slice(0, 200).forEach(function (item) {
      results.appendChild(result(item.entry));
    });
    results.hidden = false;
    all.hidden = true;
    status.textContent = found.length ? "找到 " + found.length + " 条" + (found.length > 200 ? "（显示前 200 条）" : "") : "没有找到。";
  }

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) {
    input.value = params.get("q");
  }
  input.addEventListener("input", function () { show(input.value); });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
  });
  show(input.value);
})();
