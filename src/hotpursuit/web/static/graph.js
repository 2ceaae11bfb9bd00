// The flow graph page: loads the graph the view asks for (server-side grouping, filters and layout),
// draws it with sigma.js over graphology, opens groups on click, shows an address's page in the side
// panel, and exports the drawing as PNG (SVG and GraphML come from the server, in the same view).
(function () {
  "use strict";
  var box = document.getElementById("graph");
  var form = document.getElementById("graph-view");
  var side = document.getElementById("side");
  var stats = document.getElementById("graph-stats");
  var groupList = document.getElementById("groups");
  if (!box || !form || !window.Sigma || !window.graphology) { return; }
  var expanded = new Set();
  var around = new Set();
  var renderer = null;

  function t(name, values) {  // the page's translated strings, with %(name)s filled in
    var text = box.getAttribute("data-t-" + name) || name;
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")s").join(String(values[k])); });
    return text;
  }

  function viewQuery() {
    var q = new URLSearchParams(new FormData(form));
    Array.from(q.keys()).forEach(function (k) { if (!q.get(k)) { q.delete(k); } });
    if (expanded.size) { q.set("expand", Array.from(expanded).sort().join(",")); }
    if (around.size) { q.set("around", Array.from(around).sort().join(",")); }
    return q.toString();
  }

  function exportLinks(query) {
    ["g-svg", "g-graphml"].forEach(function (id) {
      var a = document.getElementById(id);
      a.href = a.href.split("?")[0] + (query ? "?" + query : "");
    });
  }

  function show(message) {
    side.replaceChildren();
    var p = document.createElement("p");
    p.textContent = message;
    side.appendChild(p);
  }

  function load() {
    var query = viewQuery();
    exportLinks(query);
    box.setAttribute("data-state", "loading");
    var started = performance.now();
    fetch(box.getAttribute("data-source") + (query ? "?" + query : ""), {credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (body) { return {ok: r.ok, body: body}; }); })
      .then(function (answer) {
        if (!answer.ok) { show(answer.body.error || t("failed")); box.setAttribute("data-state", "error"); return; }
        var fetched = performance.now();
        draw(answer.body);
        box.setAttribute("data-fetch-ms", String(Math.round(fetched - started)));
        box.setAttribute("data-draw-ms", String(Math.round(performance.now() - fetched)));
      })
      .catch(function () { show(t("failed")); box.setAttribute("data-state", "error"); });
  }

  function draw(data) {
    var Graph = window.graphology.DirectedGraph || window.graphology;
    var graph = new Graph();
    graph.import(data);
    if (renderer) { renderer.kill(); }
    var big = graph.order > 2000;
    renderer = new window.Sigma(graph, box, {
      defaultEdgeType: "arrow", renderEdgeLabels: !big, labelRenderedSizeThreshold: big ? 12 : 6,
      labelDensity: big ? 0.4 : 1, zIndex: true
    });
    renderer.on("clickNode", function (e) { clicked(graph, e.node); });
    box.setAttribute("data-nodes", String(graph.order));
    box.setAttribute("data-edges", String(graph.size));
    box.setAttribute("data-state", "drawn");
    var a = data.attributes || {};
    listGroups(a.groups || {});
    listAssets(a.assets || []);
    stats.textContent = t("drawn", {nodes: graph.order, edges: graph.size}) +
      (a.hiddenEdges ? ", " + t("hidden", {hidden: a.hiddenEdges}) : "") + ".";
  }

  function button(text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function clicked(graph, key) {
    var node = graph.getNodeAttributes(key);
    if (key.indexOf("group:") === 0) {
      expanded.add(node.group);
      load();
      return;
    }
    side.replaceChildren();
    var actions = document.createElement("p");
    actions.appendChild(button(t("neighbours"), function () { around.add(key); load(); }));
    if (node.group && expanded.has(node.group)) {
      actions.appendChild(button(t("collapse", {group: node.group}), function () { expanded.delete(node.group); load(); }));
    }
    side.appendChild(actions);
    if (!node.address || node.kind !== "address") { return; }
    var panel = document.createElement("div");
    side.appendChild(panel);
    fetch("/ui/addresses/" + encodeURIComponent(node.chain) + "/" + encodeURIComponent(node.address) + "?panel=1",
          {credentials: "same-origin"})
      .then(function (r) {  // a signed-out session answers with the sign-in page: not for the panel
        if (!r.ok || r.redirected) { throw new Error("not the address page"); }
        return r.text();
      })
      .then(function (html) {  // the server's page, rendered and escaped there; no script runs (CSP)
        panel.innerHTML = html;
      })
      .catch(function () { panel.textContent = t("failed"); });
  }

  function listAssets(assets) {  // filled once: the filter keeps what the reader chose
    var select = document.getElementById("g-asset");
    if (select.options.length > 1) { return; }
    assets.forEach(function (pair) {
      var option = document.createElement("option");
      option.value = pair[0];
      option.textContent = pair[1] === pair[0] ? pair[0] : pair[1] + " (" + pair[0] + ")";
      select.appendChild(option);
    });
  }

  function listGroups(groups) {  // the groups as buttons too: the canvas is not reachable by keyboard
    groupList.replaceChildren();
    Object.keys(groups).sort().forEach(function (key) {
      var li = document.createElement("li");
      var open = expanded.has(key);
      var pattern = groupList.getAttribute(open ? "data-close" : "data-open") || "%(group)s";
      li.appendChild(button(pattern.split("%(group)s").join(groups[key]), function () {
        if (open) { expanded.delete(key); } else { expanded.add(key); }
        load();
      }));
      li.setAttribute("data-group", key);
      groupList.appendChild(li);
    });
  }

  function png(event) {
    if (!renderer) { return; }
    renderer.refresh();  // draw now, so the WebGL layers still hold the picture when they are copied
    var layers = renderer.getCanvases();
    var first = layers[Object.keys(layers)[0]];
    var out = document.createElement("canvas");
    out.width = first.width;
    out.height = first.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    Object.keys(layers).forEach(function (k) { ctx.drawImage(layers[k], 0, 0); });
    event.currentTarget.href = out.toDataURL("image/png");
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); around.clear(); load(); });
  document.getElementById("g-collapse-all").addEventListener("click", function () {
    expanded.clear(); around.clear(); load();
  });
  document.getElementById("g-png").addEventListener("click", png);
  load();
})();
