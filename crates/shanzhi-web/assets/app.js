// 善治 UI behaviour: the pick-a-place map and the phone's location on the
// report page, the grid map, the supervision charts. Everything it loads
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

  function baseTiles(map) {
    var url = document.body.getAttribute("data-tiles");
    if (url) { L.tileLayer(url, { maxZoom: 18 }).addTo(map); }
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

  function charts() {
    var el = document.getElementById("charts");
    if (!el || !window.echarts) { return; }
    var data = JSON.parse(el.getAttribute("data-chart"));
    [["chart-state", data.state, 0], ["chart-line", data.line, 1], ["chart-district", data.district, 2]].forEach(function (c) {
      var chart = echarts.init(document.getElementById(c[0]));
      chart.setOption({
        title: { text: data.titles[c[2]], textStyle: { fontSize: 14 } },
        grid: { left: 48, right: 12, bottom: 64 },
        xAxis: { type: "category", data: c[1].map(function (x) { return x[0]; }), axisLabel: { rotate: 45 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: c[1].map(function (x) { return x[1]; }), itemStyle: { color: "#0b5cad" } }],
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { reportPage(); mapPage(); ownGrid(); charts(); });
})();
