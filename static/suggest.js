// 검색어 자동완성: an ARIA 1.2 combobox over GET /api/suggest?q=.
// Keyboard: ArrowDown/ArrowUp move, Enter opens the highlighted entry, Escape closes.
// Without this script the search form works as a plain form.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) return;
  var items = [];
  var active = -1;
  var timer = 0;
  var seq = 0;

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(i) {
    var options = list.children;
    for (var k = 0; k < options.length; k++) {
      options[k].setAttribute("aria-selected", k === i ? "true" : "false");
    }
    active = i;
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", options[i].id);
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(found) {
    list.textContent = "";
    items = found;
    active = -1;
    if (!found.length) return close();
    found.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = s.title;
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        window.location.href = s.url;
      });
      list.appendChild(li);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function update() {
    var q = input.value.trim();
    if (!q) return close();
    var mine = ++seq;
    fetch("/api/suggest?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (body) { if (mine === seq) show(body.suggestions || []); })
      .catch(function () { close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 80);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "Down") {
      if (list.hidden) { update(); return; }
      e.preventDefault();
      highlight(Math.min(active + 1, items.length - 1));
    } else if (e.key === "ArrowUp" || e.key === "Up") {
      if (list.hidden) return;
      e.preventDefault();
      highlight(Math.max(active - 1, -1));
    } else if (e.key === "Enter") {
      if (!list.hidden && active >= 0 && items[active]) {
        e.preventDefault();
        window.location.href = items[active].url;
      }
    } else if (e.key === "Escape" || e.key === "Esc") {
      if (!list.hidden) { e.preventDefault(); close(); }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
