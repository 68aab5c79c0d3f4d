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
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.entry.u;
      a.textContent = item.entry.t;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.entry.k;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(kind);
      results.appendChild(li);
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
