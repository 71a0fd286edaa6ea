// 善治 UI behaviour: the pick-a-place map and the phone's location on the
// report page, the grid map, the supervision dashboard. Everything it loads
// comes from this server.
(function () {
  "use strict";
  var CHENGDU = [30.6598, 104.0633];

  // Fill by open matters: none, 1–2, 3–5, more.
  function fill(n) { return !n ? "#8c959f" : n <= 2 ? "#d4a72c" : n <= 5 ? "#e16f24" : "#cf222e"; }

  function gridLayer(map, onClick, counted) {
    var renderer = L.canvas();
    var counts = null;
    function count(p) {
      if (!counts) { return 0; }
      var table = p.kind === "micro" ? counts.by_grid : p.kind === "master" ? counts.by_community : counts.by_general;
      return table[p.code] || 0;
    }
    var layer = L.geoJSON(null, {
      renderer: renderer,
      style: function (f) {
        var kind = f.properties.kind, n = count(f.properties);
        return { color: kind === "master" ? "#0b5cad" : "#57606a", weight: kind === "master" ? 2 : 1,
          fillColor: counted ? fill(n) : "#8c959f", fillOpacity: counted && n ? 0.45 : 0.05 };
      },
      onEachFeature: function (f, l) { if (onClick) { l.on("click", function (e) { onClick(f, e); }); } },
    }).addTo(map);
    var seq = 0;
    function load() {
      var z = map.getZoom();
      if (z < 12) { layer.clearLayers(); return; }
      var b = map.getBounds();
      var kind = z >= 16 ? "micro" : z >= 14 ? "general" : "master";
      var url = "/api/v1/grids?kind=" + kind + "&zoom=" + Math.min(22, z) + "&bbox=" +
        [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
      var mine = ++seq;
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
      var wanted = [fetch(url).then(function (r) { return r.ok ? r.json() : null; })];
      if (counted) { wanted.push(fetch("/map/counts?bbox=" + box).then(function (r) { return r.ok ? r.json() : null; })); }
      Promise.all(wanted).then(function (got) {
        if (!got[0] || mine !== seq) { return; }
        counts = got[1] || null;
        layer.clearLayers();
        layer.addData(got[0]);
      });
    }
    map.on("moveend", load);
    load();
    return layer;
  }

  // District outlines, always: at low zoom they are the whole picture.
  function districts(map) {
    fetch("/map/districts.geojson").then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
      if (fc) { L.geoJSON(fc, { interactive: false, style: { color: "#24292f", weight: 2, fill: false } }).addTo(map); }
    });
  }

  // The base map: the deployer's PMTiles file drawn here (served by this
  // host), else a configured XYZ/WMTS URL (天地图 with its key), else none —
  // Shanzhi's own layers are drawn either way. No flag in the attribution.
  function baseTiles(map) {
    map.attributionControl.setPrefix("Leaflet");
    var pm = document.body.getAttribute("data-pmtiles");
    if (pm && window.protomapsL) {
      protomapsL.leafletLayer({ url: pm, flavor: "light", lang: "zh-Hans", maxDataZoom: 15,
        attribution: "底图 © OpenStreetMap 贡献者 (ODbL)" }).addTo(map);
      return;
    }
    var url = document.body.getAttribute("data-tiles");
    if (url) {
      var host = url.replace(/^[a-z]+:\/\//, "").split(/[/?]/)[0];
      L.tileLayer(url, { maxZoom: 18, attribution: "底图 " + host }).addTo(map);
    }
  }

  function reportPage() {
    var el = document.getElementById("pick-map");
    if (!el || !window.L) { return; }
    var map = L.map(el).setView(CHENGDU, 14);
    baseTiles(map);
    gridLayer(map);
    var lng = document.getElementById("lng"), lat = document.getElementById("lat"), marker = null;
    function put(y, x) {
      lat.value = y.toFixed(6); lng.value = x.toFixed(6);
      if (marker) { marker.setLatLng([y, x]); } else { marker = L.marker([y, x]).addTo(map); }
    }
    map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
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
    gridLayer(map, function (f) {
      var p = f.properties;
      fetch("/map/cell/" + p.code).then(function (r) { return r.text(); }).then(function (html) {
        info.innerHTML = html;
        var h = info.querySelector("h2");
        if (h) { h.textContent = p.name + "（" + p.code + "，" + p.kind_name + (p.households ? "，" + p.households + " 户" : "") + "）"; }
      });
    }, true);
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

  document.addEventListener("DOMContentLoaded", function () { reportPage(); mapPage(); ownGrid(); dashboard(); printButtons(); });
})();
