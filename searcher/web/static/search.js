// Search-as-you-type for the blogsearch page: completions from /api/complete fill the query
// box's datalist. Progressive enhancement only: without this file the form works the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-complete]");
  if (!form || !window.fetch) {
    return;
  }
  var box = form.querySelector("input[name=q]");
  var list = document.getElementById(box.getAttribute("list"));
  var timer = null;
  var asked = "";

  function show(prefix, items) {
    if (box.value !== prefix) {
      return; // the user typed on: an older answer
    }
    var options = items.map(function (item) {
      var option = document.createElement("option");
      option.value = item.text; // text, never markup
      if (item.kind === "term" && item.count) {
        option.label = item.text + " (" + item.count + ")";
      }
      return option;
    });
    list.replaceChildren.apply(list, options);
  }

  function complete() {
    var prefix = box.value;
    if (prefix.trim().length < 2 || prefix === asked) {
      return;
    }
    asked = prefix;
    var url = form.getAttribute("data-complete") + "?limit=8&q=" + encodeURIComponent(prefix);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (items) {
        show(prefix, items);
      })
      .catch(function () {}); // completions are a nicety: the form still works
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(complete, 150);
  });
})();
