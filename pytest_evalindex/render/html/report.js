"use strict";
// The sample drill-down: filters, search, paging, and a sample's texts on demand.
// Every text from the run is set with textContent, never parsed as HTML.
(function () {
  var PAGE = 100;
  var data = null, col = null, details = null; // details: one array per text field, unpacked when first needed
  var shown = 0, matches = [], baseline = null, tagHas = null;
  var body = document.getElementById("sample-rows");
  var more = document.getElementById("more");
  var count = document.getElementById("sample-count");
  var changed = document.getElementById("f-changed");
  var hasBaseline = !!changed;
  var fStatus, fDataset, fSubset, fTag, fSearch = document.getElementById("f-search");

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function unpack(id) { // gzipped UTF-8 in base64, unpacked by the browser itself
    var raw = atob(document.getElementById(id).textContent.trim());
    var bytes = new Uint8Array(raw.length);
    for (var k = 0; k < raw.length; k++) bytes[k] = raw.charCodeAt(k);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  var loading = null;
  function loadDetails() { // the texts follow the script in the page: wait until the page is read
    if (loading === null) {
      loading = new Promise(function (done) {
        if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", done);
        else done();
      }).then(function () { return unpack("evalindex-details"); }).then(function (text) {
        // a NUL, then every text column after column, NUL-separated; or (a text held a NUL) JSON columns
        var flat = text.charAt(0) === "\u0000" ? text.slice(1).split("\u0000") : [].concat.apply([], JSON.parse(text));
        details = data.detail_fields.map(function (_, k) { return flat.slice(k * data.count, (k + 1) * data.count); });
      });
    }
    return loading;
  }
  function fill(id, names) {
    var select = document.getElementById(id);
    names.map(function (n, i) { return [n, i]; })
      .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; })
      .forEach(function (p) { var o = el("option", p[0] === "" ? "(none)" : p[0]); o.value = String(p[1]); select.appendChild(o); });
    select.addEventListener("change", apply);
    return select;
  }
  function nodeId(i) { return data.prefixes[col.prefix[i]] + col.suffix[i]; }
  function texts(i) { // null for a sample without texts (every one empty)
    if (details === null) return null;
    var d = details.map(function (field) { return field[i]; });
    return d.some(function (s) { return s !== ""; }) ? d : null;
  }
  function haystack(i) {
    var d = texts(i);
    return (nodeId(i) + "\n" + (col.extracted[i] || "") + "\n" + (d ? d.join("\n") : "")).toLowerCase();
  }
  function apply() {
    var st = fStatus.value === "" ? -1 : +fStatus.value, ds = fDataset.value === "" ? -1 : +fDataset.value;
    var sb = fSubset.value === "" ? -1 : +fSubset.value, tg = fTag.value === "" ? -1 : +fTag.value;
    var q = fSearch.value.trim().toLowerCase(), onlyChanged = changed && changed.checked;
    if (q && details === null) { loadDetails().then(apply); return; }
    if (tg >= 0) tagHas = data.tagsets.map(function (set) { return set.indexOf(tg) >= 0; });
    matches = [];
    for (var i = 0; i < data.count; i++) {
      if (st >= 0 && col.status[i] !== st) continue;
      if (ds >= 0 && col.dataset[i] !== ds) continue;
      if (sb >= 0 && col.subset[i] !== sb) continue;
      if (tg >= 0 && !tagHas[col.tagset[i]]) continue;
      if (onlyChanged && baseline[i] < 0) continue;
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
    count.textContent = matches.length + " of " + data.count + " samples match; showing " + shown + ".";
    more.hidden = shown >= matches.length;
  }
  function fmt(x, places) { return x === null || x === undefined ? "-" : String(+x.toFixed(places)); }
  function row(i) {
    var status = data.statuses[col.status[i]];
    var tr = el("tr", null, "sample " + status);
    tr.dataset.index = String(i);
    tr.appendChild(el("td", nodeId(i), "mono"));
    tr.appendChild(el("td", data.datasets[col.dataset[i]] + "/" + data.subsets[col.subset[i]]));
    tr.appendChild(el("td", status, "status"));
    if (hasBaseline) tr.appendChild(el("td", baseline[i] < 0 ? "" : data.statuses[baseline[i]]));
    tr.appendChild(el("td", fmt(col.score[i], 4), "n"));
    tr.appendChild(el("td", col.extracted[i] === null ? "-" : col.extracted[i], "mono"));
    tr.appendChild(el("td", col.latency_ms[i] === null ? "-" : col.latency_ms[i] + " ms", "n"));
    tr.appendChild(el("td", col.input_tokens[i] === null ? "-" : col.input_tokens[i] + " / " + col.output_tokens[i], "n"));
    tr.addEventListener("click", function () { toggle(tr, i); });
    return tr;
  }
  function toggle(tr, i) {
    var next = tr.nextSibling;
    if (next && next.classList && next.classList.contains("detail")) { next.remove(); return; }
    if (details === null) { loadDetails().then(function () { toggle(tr, i); }); return; }
    var cell = el("td", null, "detail-cell"), d = texts(i);
    cell.colSpan = tr.children.length;
    var tags = data.tagsets[col.tagset[i]].map(function (t) { return data.tags[t]; }).join(", ");
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
  unpack("evalindex-samples").then(JSON.parse).then(function (d) {
    data = d;
    col = d.columns;
    baseline = new Int8Array(d.count).fill(-1);
    d.baseline.forEach(function (pair) { baseline[pair[0]] = pair[1]; });
    fStatus = fill("f-status", d.statuses); fDataset = fill("f-dataset", d.datasets);
    fSubset = fill("f-subset", d.subsets); fTag = fill("f-tag", d.tags);
    var timer = null;
    fSearch.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 150); });
    if (changed) changed.addEventListener("change", apply);
    more.addEventListener("click", page);
    apply();
  });
})();
