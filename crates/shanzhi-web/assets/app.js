// 善治 UI behaviour: the pick-a-place map and the phone's location on the
// report page, the grid map, the supervision dashboard. Everything it loads
// comes from this server.
(function () {
  "use strict";
  var CHENGDU = [30.6598, 104.0633];

  // Fill by open matters: a blue scale, apart from the 黄/橙/红 that mean
  // warnings elsewhere. Bounds shared with the legend in map.html.
  var SCALE = ["#eef3f8", "#9ecae1", "#4292c6", "#08519c"];
  function fill(n) { return !n ? SCALE[0] : n <= 2 ? SCALE[1] : n <= 5 ? SCALE[2] : SCALE[3]; }
  // A cell's name is written on it from this zoom on, and only where it
  // fits inside the cell on screen (so names never pile up); at most
  // LABEL_MAX names at once.
  var LABEL_ZOOM = { master: 12, general: 15, dedicated: 15, micro: 16 };
  var LABEL_MAX = 300;
  function fits(map, l, name) {
    var b = l.getBounds(), nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
    return se.x - nw.x >= 13 * name.length && se.y - nw.y >= 18;
  }

  function getJSON(url) { return fetch(url).then(function (r) { return r.ok ? r.json() : null; }); }
  function boxParam(b) {
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
  }

  // The grid of the view (community, general, micro cells by zoom), named
  // at high zoom, optionally coloured by open matters; `select(code)` marks
  // one cell (the clicked one, a matter's).
  function gridLayer(map, onClick, counted) {
    var counts = null, selected = null;
    function count(p) {
      if (!counts) { return 0; }
      var table = p.kind === "micro" ? counts.by_grid : p.kind === "master" ? counts.by_community : counts.by_general;
      return table[p.code] || 0;
    }
    function style(f) {
      var p = f.properties, n = count(p), on = p.code === selected;
      return { color: on ? "#1f2328" : p.kind === "master" ? "#0b5cad" : "#57606a", weight: on ? 4 : p.kind === "master" ? 2 : 1,
        fillColor: counted ? fill(n) : "#8c959f", fillOpacity: on ? 0.35 : counted ? 0.55 : 0.05 };
    }
    var layer = L.geoJSON(null, {
      renderer: L.canvas(),
      style: style,
      onEachFeature: function (f, l) { if (onClick) { l.on("click", function (e) { onClick(f, e); }); } },
    }).addTo(map);
    function label() {
      var z = map.getZoom(), n = 0;
      layer.eachLayer(function (l) {
        var p = l.feature.properties;
        // A micro-grid is named by its place in its grid (第2微网格): the
        // whole name (水井坊社区第1网格第2微网格) never fits a cell on screen.
        var text = p.kind === "micro" ? p.name.replace(/^.+?网格(第\d+微网格)$/, "$1") : p.name;
        if (n < LABEL_MAX && z >= (LABEL_ZOOM[p.kind] || 15) && fits(map, l, text)) {
          n++;
          l.bindTooltip(text, { permanent: true, direction: "center", className: "cell-label", interactive: false });
        }
      });
    }
    var seq = 0;
    function load() {
      var z = map.getZoom();
      if (z < 12) { layer.clearLayers(); return; }
      var kind = z >= 16 ? "micro" : z >= 14 ? "general" : "master";
      var box = boxParam(map.getBounds());
      var mine = ++seq;
      var wanted = [getJSON("/api/v1/grids?kind=" + kind + "&zoom=" + Math.min(22, z) + "&bbox=" + box)];
      if (counted) { wanted.push(getJSON("/map/counts?bbox=" + box)); }
      Promise.all(wanted).then(function (got) {
        if (!got[0] || mine !== seq) { return; }
        counts = got[1] || null;
        layer.clearLayers();
        layer.addData(got[0]);
        label();
      });
    }
    map.on("moveend", load);
    load();
    return { layer: layer, reload: load,
      select: function (code) { selected = code; layer.eachLayer(function (l) { layer.resetStyle(l); }); } };
  }

  // District outlines, always, named below zoom 12 (where no grid is drawn).
  function districts(map) {
    getJSON("/map/districts.geojson").then(function (fc) {
      if (!fc) { return; }
      L.geoJSON(fc, { interactive: false, style: { color: "#24292f", weight: 2, fill: false },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "district-label" });
        } }).addTo(map);
    });
    var el = map.getContainer();
    function zoomClass() { el.classList.toggle("zoomed-out", map.getZoom() < 12); }
    map.on("zoomend", zoomClass);
    zoomClass();
  }

  // The base map: the deployer's PMTiles file drawn here (served by this
  // host), else a configured XYZ/WMTS URL (天地图 with its key), else none —
  // Shanzhi's own layers are drawn either way. No flag in the attribution.
  function baseTiles(map) {
    map.attributionControl.setPrefix("Leaflet");
    var pm = document.body.getAttribute("data-pmtiles");
    if (pm && window.protomapsL) {
      protomapsL.leafletLayer({ url: pm, flavor: "light", lang: "zh-Hans", maxDataZoom: 15,
        attribution: "底图 Base map © OpenStreetMap 贡献者 contributors (ODbL)" }).addTo(map);
      return;
    }
    var url = document.body.getAttribute("data-tiles");
    if (url) {
      var host = url.replace(/^[a-z]+:\/\//, "").split(/[/?]/)[0];
      L.tileLayer(url, { maxZoom: 18, attribution: "底图 Base map: " + host }).addTo(map);
    }
  }

  // What a point is called (`总府路社区 · 第1网格`), or null outside the grid.
  function placeAt(lat, lng) {
    return getJSON("/api/v1/places/at?lng=" + lng.toFixed(6) + "&lat=" + lat.toFixed(6))
      .then(function (a) { return a && a.found ? a : null; });
  }

  // The place search box `form` (place_search.html): the answers as
  // buttons; choosing one flies the map there and calls `chosen(place)`.
  function placeSearch(form, map, chosen) {
    if (!form) { return; }
    var input = form.querySelector("input[type=search]"), list = form.querySelector(".place-results");
    var status = form.querySelector(".place-status");
    function go(p) {
      var b = p.bbox;
      map.flyToBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: p.kind === "grid" ? 17 : 16, duration: 0.5 });
      list.innerHTML = "";
      status.textContent = form.getAttribute("data-went") + p.name;
      if (chosen) { chosen(p); }
    }
    // Not a form of its own: on the report page it sits inside the report's.
    input.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); find(); } });
    form.querySelector(".place-go").addEventListener("click", find);
    function find() {
      var q = input.value.trim();
      if (!q) { return; }
      getJSON("/api/v1/places?limit=8&q=" + encodeURIComponent(q)).then(function (found) {
        list.innerHTML = "";
        found = found || [];
        status.textContent = found.length ? form.getAttribute("data-found").replace("N", found.length) : form.getAttribute("data-none");
        found.forEach(function (p) {
          var li = document.createElement("li"), b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = p.name + "（" + p.kind_name + (p.context ? "，" + p.context : "") + (p.approximate ? "，" + form.getAttribute("data-approx") : "") + "）";
          b.addEventListener("click", function () { go(p); });
          li.appendChild(b);
          list.appendChild(li);
        });
      });
    }
  }

  // The report page: the pin is the input. Click or tap the map; or with
  // the keyboard, the arrow keys move the map under the centre cross and
  // Enter, space or the button puts the pin there. The place's name is
  // announced; lng/lat stay in a collapsed "enter coordinates" box.
  function reportPage() {
    var el = document.getElementById("pick-map");
    if (!el || !window.L) { return; }
    var lng = document.getElementById("lng"), lat = document.getElementById("lat");
    var had = parseFloat(lat.value), start = isFinite(had) && isFinite(parseFloat(lng.value));
    var map = L.map(el).setView(start ? [had, parseFloat(lng.value)] : CHENGDU, start ? 16 : 14);
    baseTiles(map);
    gridLayer(map);
    var said = document.getElementById("pin-place"), marker = null, asked = 0;
    function put(y, x) {
      lat.value = y.toFixed(6); lng.value = x.toFixed(6);
      if (marker) { marker.setLatLng([y, x]); } else { marker = L.marker([y, x], { keyboard: false }).addTo(map); }
      var mine = ++asked;
      placeAt(y, x).then(function (a) {
        if (mine !== asked) { return; }
        said.textContent = a ? said.getAttribute("data-at") + a.full_text : said.getAttribute("data-outside");
      });
    }
    if (start) { put(had, parseFloat(lng.value)); }
    window.shanzhiMap = map; // for the browser test
    map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
    function centre() { var c = map.getCenter(); put(c.lat, c.lng); }
    el.addEventListener("keydown", function (e) {
      if (e.target === el && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); centre(); }
    });
    document.getElementById("pin-centre").addEventListener("click", centre);
    // A grid or community found puts the pin at its middle; a district, town
    // or landmark (placed only by its district) just moves the map.
    placeSearch(document.getElementById("place-search"), map, function (p) {
      if (!p.approximate && (p.kind === "grid" || p.kind === "community")) { put(p.point[1], p.point[0]); }
    });
    document.getElementById("use-location").addEventListener("click", function () {
      if (!navigator.geolocation) { return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        put(p.coords.latitude, p.coords.longitude);
        map.setView([p.coords.latitude, p.coords.longitude], 16);
      });
    });
  }

  function mapPage() {
    var el = document.getElementById("grid-map");
    if (!el || !window.L) { return; }
    var map = L.map(el).setView(CHENGDU, 13);
    baseTiles(map);
    districts(map);
    var info = document.getElementById("map-info");
    var grid = gridLayer(map, function (f) {
      var p = f.properties;
      grid.select(p.code);
      fetch("/map/cell/" + p.code).then(function (r) { return r.text(); }).then(function (html) {
        info.innerHTML = html;
        var h = info.querySelector("h2");
        if (h) { h.textContent = p.name + "（" + p.kind_name + (p.households ? "，" + p.households + " 户" : "") + "）"; }
      });
    }, true);
    placeSearch(document.getElementById("place-search"), map, function (p) {
      if (p.kind === "grid") { grid.select(p.code); }
    });
    window.shanzhiMap = map; // for the browser test, which reads where the map went
  }

  // A matter's page: its point, its cell marked, the place in words.
  function matterMap() {
    var el = document.getElementById("matter-map");
    if (!el || !window.L) { return; }
    var y = parseFloat(el.getAttribute("data-lat")), x = parseFloat(el.getAttribute("data-lng"));
    var map = L.map(el).setView([y, x], 17);
    baseTiles(map);
    gridLayer(map).select(el.getAttribute("data-grid"));
    L.marker([y, x], { keyboard: false }).addTo(map);
  }

  function ownGrid() {
    var el = document.getElementById("own-grid");
    if (!el || !window.L) { return; }
    var map = L.map(el);
    baseTiles(map);
    fetch("/api/v1/grids/" + el.getAttribute("data-grid")).then(function (r) { return r.json(); }).then(function (f) {
      var shape = L.geoJSON(f, { style: { color: "#0b5cad", weight: 2, fillOpacity: 0.1 } }).addTo(map);
      map.fitBounds(shape.getBounds());
    });
  }

  // Reusable by other pages' maps (the grid worker's).
  window.Shanzhi = { baseTiles: baseTiles, gridLayer: gridLayer, districts: districts, placeAt: placeAt, placeSearch: placeSearch };

  // The supervision dashboard: every chart titled, every axis label shown
  // (interval 0, rotated or horizontal bars), an empty state in words.
  function dashboard() {
    var el = document.getElementById("dashboard");
    if (!el || !window.echarts) { return; }
    var d = JSON.parse(el.getAttribute("data-chart"));
    var narrow = window.innerWidth < 700;
    var title = function (text) {
      return { text: text, left: 8, top: 6, textStyle: { fontSize: 14, fontWeight: "bold", width: narrow ? 320 : 560, overflow: "break" } };
    };
    var empty = function (chart, text, has) {
      if (has) { return; }
      chart.setOption({ graphic: [{ type: "text", left: "center", top: "middle", style: { text: d.empty, fill: "#57606a", fontSize: 14 } }] });
    };
    var sum = function (xs) { return xs.reduce(function (a, b) { return a + (b || 0); }, 0); };
    var palette = ["#0b5cad", "#2da44e", "#bf8700", "#cf222e"];
    var charts = [];
    function make(id, option, has) {
      var node = document.getElementById(id);
      var chart = echarts.init(node, null, { renderer: "svg" });
      option.color = palette;
      chart.setOption(option);
      empty(chart, d.empty, has);
      charts.push(chart);
    }

    var t = d.trend;
    make("chart-trend", {
      title: title(t.title),
      tooltip: { trigger: "axis" },
      legend: { top: 30 },
      grid: { left: 44, right: 16, top: 70, bottom: 56 },
      xAxis: { type: "category", data: t.labels, axisLabel: { interval: 0, rotate: narrow ? 90 : 45, fontSize: narrow ? 9 : 11 } },
      yAxis: { type: "value", minInterval: 1 },
      dataZoom: t.labels.length > 40 ? [{ type: "inside" }] : [],
      series: t.series.map(function (s) { return { name: s.name, type: "line", smooth: true, data: s.data, symbolSize: 5 }; }),
    }, sum(t.series.map(function (s) { return sum(s.data); })) > 0);

    var l = d.lines;
    make("chart-lines", {
      title: title(l.title),
      tooltip: { trigger: "axis", formatter: function (ps) {
        return ps.map(function (p) {
          var f = l.series[p.seriesIndex].fractions[p.dataIndex];
          return p.marker + p.seriesName + "：" + (p.value == null ? "—" : p.value + "%") + (f ? "（" + f + "）" : "");
        }).join("<br>");
      } },
      legend: { top: 30 },
      grid: { left: 110, right: 24, top: 84, bottom: 24 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: l.labels, inverse: true, axisLabel: { interval: 0 } },
      series: l.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, label: { show: true, position: "right", formatter: function (p) { return p.value == null ? "" : p.value + "%"; } } }; }),
    }, l.series.some(function (s) { return s.data.some(function (v) { return v != null; }); }));

    var f = d.funnel;
    make("chart-funnel", {
      title: title(f.title),
      tooltip: { trigger: "item", formatter: "{b}：{c}" },
      series: [{ type: "funnel", sort: "none", top: 50, bottom: 12, left: "10%", width: "80%", minSize: "12%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b} {c}", color: "#fff" },
        itemStyle: { color: "#cf222e" },
        data: f.data }],
    }, sum(f.data.map(function (x) { return x.value; })) > 0);

    var h = d.heat;
    var heatNode = document.getElementById("chart-heat");
    heatNode.style.height = Math.max(320, 120 + h.y.length * 24) + "px";
    make("chart-heat", {
      title: title(h.title),
      tooltip: { formatter: function (p) { return h.y[p.value[1]] + "<br>" + h.x[p.value[0]] + "：" + p.value[2] + "%"; } },
      grid: { left: narrow ? 100 : 180, right: 16, top: 48, bottom: 110 },
      xAxis: { type: "category", data: h.x, axisLabel: { interval: 0, rotate: 30 }, splitArea: { show: true } },
      yAxis: { type: "category", data: h.y, inverse: true, axisLabel: { interval: 0, width: narrow ? 92 : 172, overflow: "truncate" } },
      visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 4, itemHeight: 120,
        inRange: { color: ["#cf222e", "#f2cc60", "#2da44e"] }, text: ["100%", "0%"] },
      series: [{ type: "heatmap", data: h.data, label: { show: !narrow, formatter: function (p) { return Math.round(p.value[2]); } } }],
    }, h.data.length > 0);

    var c = d.categories;
    var catNode = document.getElementById("chart-categories");
    catNode.style.height = Math.max(320, 110 + c.labels.length * 30) + "px";
    make("chart-categories", {
      title: title(c.title),
      tooltip: { trigger: "axis" },
      legend: { top: 30 },
      grid: { left: narrow ? 110 : 160, right: 36, top: 70, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: c.labels, inverse: true, axisLabel: { interval: 0, width: narrow ? 100 : 150, overflow: "truncate" } },
      series: c.series.map(function (s, i) {
        return { name: s.name, type: "bar", data: s.data, itemStyle: { color: i ? "#cf222e" : "#0b5cad" }, label: { show: true, position: "right" } };
      }),
    }, c.labels.length > 0);

    window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
  }

  // Print buttons (the policy allows no inline handler).
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  // Volunteer check-in: the phone's position goes with the code when the
  // phone gives it within three seconds; without it the form is sent as is.
  function locateForms() {
    document.querySelectorAll("form[data-locate]").forEach(function (f) {
      var asked = false;
      f.addEventListener("submit", function (ev) {
        if (asked || !navigator.geolocation) { return; }
        ev.preventDefault();
        asked = true;
        var send = function () { f.submit(); };
        navigator.geolocation.getCurrentPosition(function (p) {
          f.elements.lng.value = p.coords.longitude.toFixed(6);
          f.elements.lat.value = p.coords.latitude.toFixed(6);
          send();
        }, send, { timeout: 3000, maximumAge: 60000 });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { reportPage(); mapPage(); matterMap(); ownGrid(); dashboard(); printButtons(); locateForms(); });
})();
