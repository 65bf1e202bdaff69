"use strict";
// The sample drill-down: filters, search, paging, and a sample's texts on demand.
// Every text from the run is set with textContent, never parsed as HTML.
(function () {
  var data = JSON.parse(document.getElementById("evalindex-samples").textContent);
  var details = null; // parsed when a sample is first opened
  var PAGE = 100;
  var C = {}; data.columns.forEach(function (name, i) { C[name] = i; });
  var rows = data.rows, shown = 0, matches = [];
  var body = document.getElementById("sample-rows");
  var more = document.getElementById("more");
  var count = document.getElementById("sample-count");
  var changed = document.getElementById("f-changed");
  var hasBaseline = !!changed;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function fill(id, names) {
    var select = document.getElementById(id);
    names.map(function (n, i) { return [n, i]; })
      .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; })
      .forEach(function (p) { var o = el("option", p[0] === "" ? "(none)" : p[0]); o.value = String(p[1]); select.appendChild(o); });
    select.addEventListener("change", apply);
    return select;
  }
  var fStatus = fill("f-status", data.statuses), fDataset = fill("f-dataset", data.datasets);
  var fSubset = fill("f-subset", data.subsets), fTag = fill("f-tag", data.tags);
  var fSearch = document.getElementById("f-search");
  var timer = null;
  fSearch.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
  if (changed) changed.addEventListener("change", apply);

  var loading = null;
  function loadDetails() { // the texts are gzipped JSON in base64, unpacked by the browser itself
    if (loading === null) {
      var raw = atob(document.getElementById("evalindex-details").textContent.trim());
      var bytes = new Uint8Array(raw.length);
      for (var k = 0; k < raw.length; k++) bytes[k] = raw.charCodeAt(k);
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      loading = new Response(stream).text().then(function (text) { details = JSON.parse(text); });
    }
    return loading;
  }
  function texts(i) { return details[i]; }
  function haystack(i) {
    var r = rows[i], d = texts(i);
    return (r[C.node_id] + "\n" + (r[C.extracted] || "") + "\n" + (d ? d.join("\n") : "")).toLowerCase();
  }
  function apply() {
    var st = fStatus.value, ds = fDataset.value, sb = fSubset.value, tg = fTag.value;
    var q = fSearch.value.trim().toLowerCase(), onlyChanged = changed && changed.checked;
    if (q && details === null) { loadDetails().then(apply); return; }
    matches = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (st !== "" && r[C.status] !== +st) continue;
      if (ds !== "" && r[C.dataset] !== +ds) continue;
      if (sb !== "" && r[C.subset] !== +sb) continue;
      if (tg !== "" && r[C.tags].indexOf(+tg) < 0) continue;
      if (onlyChanged && r[C.baseline_status] < 0) continue;
      if (q && haystack(i).indexOf(q) < 0) continue;
      matches.push(i);
    }
    body.textContent = "";
    shown = 0;
    page();
  }
  function page() {
    var end = Math.min(shown + PAGE, matches.length);
    for (; shown < end; shown++) body.appendChild(row(matches[shown]));
    count.textContent = matches.length + " of " + rows.length + " samples match; showing " + shown + ".";
    more.hidden = shown >= matches.length;
  }
  function fmt(x, places) { return x === null || x === undefined ? "-" : String(+x.toFixed(places)); }
  function row(i) {
    var r = rows[i], status = data.statuses[r[C.status]];
    var tr = el("tr", null, "sample " + status);
    tr.dataset.index = String(i);
    tr.appendChild(el("td", r[C.node_id], "mono"));
    tr.appendChild(el("td", data.datasets[r[C.dataset]] + "/" + data.subsets[r[C.subset]]));
    tr.appendChild(el("td", status, "status"));
    if (hasBaseline) tr.appendChild(el("td", r[C.baseline_status] < 0 ? "" : data.statuses[r[C.baseline_status]]));
    tr.appendChild(el("td", fmt(r[C.score], 4), "n"));
    tr.appendChild(el("td", r[C.extracted] === null ? "-" : r[C.extracted], "mono"));
    tr.appendChild(el("td", r[C.latency] === null ? "-" : fmt(r[C.latency] * 1000, 0) + " ms", "n"));
    tr.appendChild(el("td", r[C.input_tokens] === null ? "-" : r[C.input_tokens] + " / " + r[C.output_tokens], "n"));
    tr.addEventListener("click", function () { toggle(tr, i); });
    return tr;
  }
  function toggle(tr, i) {
    var next = tr.nextSibling;
    if (next && next.classList && next.classList.contains("detail")) { next.remove(); return; }
    if (details === null) { loadDetails().then(function () { toggle(tr, i); }); return; }
    var cell = el("td", null, "detail-cell"), d = texts(i), r = rows[i];
    cell.colSpan = tr.children.length;
    var tags = r[C.tags].map(function (t) { return data.tags[t]; }).join(", ");
    cell.appendChild(el("p", "tags: " + (tags || "(none)"), "muted"));
    if (!d) cell.appendChild(el("p", "No answer was recorded for this sample (see the error above).", "muted"));
    else data.detail_fields.forEach(function (name, k) {
      if (!d[k]) return;
      var box = el("details", null, "text");
      box.open = d[k].length < 600 && name !== "metadata";
      box.appendChild(el("summary", name + " (" + d[k].length + " chars)"));
      box.appendChild(el("pre", d[k]));
      cell.appendChild(box);
    });
    var tr2 = el("tr", null, "detail");
    tr2.appendChild(cell);
    tr.parentNode.insertBefore(tr2, tr.nextSibling);
  }
  more.addEventListener("click", page);
  apply();
})();
