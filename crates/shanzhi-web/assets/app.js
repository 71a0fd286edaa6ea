// 善治 UI behaviour: the pick-a-place map and the phone's location on the
// report page, the grid map, the supervision charts. Everything it loads
// comes from this server.
(function () {
  "use strict";
  var CHENGDU = [30.6598, 104.0633];

  function gridLayer(map, onClick) {
    var renderer = L.canvas();
    var layer = L.geoJSON(null, {
      renderer: renderer,
      style: function (f) {
        var kind = f.properties.kind;
        return { color: kind === "master" ? "#0b5cad" : "#57606a", weight: kind === "master" ? 2 : 1, fillOpacity: 0.05 };
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
      fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
        if (!fc || mine !== seq) { return; }
        layer.clearLayers();
        layer.addData(fc);
      });
    }
    map.on("moveend", load);
    load();
    return layer;
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
    var info = document.getElementById("map-info");
    gridLayer(map, function (f) {
      var p = f.properties;
      info.textContent = p.name + "（" + p.code + "，" + p.kind_name + (p.households ? "，" + p.households + " 户" : "") + "）";
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

  document.addEventListener("DOMContentLoaded", function () { reportPage(); mapPage(); charts(); });
})();
