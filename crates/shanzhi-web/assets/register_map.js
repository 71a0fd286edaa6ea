// 登记地图 / the register map: the places of /api/v1/register/map as
// markers coloured by care (overdue red, due today orange, else neutral),
// each with a popup of its names and counts. The table under the map holds
// the same places for readers without scripts.
(function () {
  "use strict";
  var COLOURS = { overdue: "#c62828", due: "#ef6c00", none: "#546e7a" };
  var CHENGDU = [30.66, 104.06];

  function text(s) {
    var d = document.createElement("div");
    d.textContent = s == null ? "" : String(s);
    return d.innerHTML;
  }

  function colour(p) {
    if (p.care_overdue > 0) { return COLOURS.overdue; }
    if (p.care_due > 0) { return COLOURS.due; }
    return COLOURS.none;
  }

  function popup(p) {
    var rows = [
      "<b>" + text(p.name) + "</b>",
      text(p.kind) + (p.grid ? " · " + text(p.grid) : ""),
      (p.address ? text(p.address) : null),
      "住户 Households " + p.households + " · 居民 Residents " + p.residents
    ];
    if (p.care !== undefined) {
      rows.push("关爱对象 Cared for " + p.care + " · 今日到期 Due " + p.care_due + " · 逾期 Overdue " + p.care_overdue);
    }
    return rows.filter(function (r) { return r; }).join("<br>");
  }

  function start() {
    var el = document.getElementById("register-map");
    if (!el || !window.L) { return; }
    var map = L.map(el).setView(CHENGDU, 13);
    if (window.Shanzhi) { window.Shanzhi.baseTiles(map); }
    fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fc) {
        if (!fc || !fc.features || !fc.features.length) { return; }
        var layer = L.geoJSON(fc, {
          pointToLayer: function (f, latlng) {
            return L.circleMarker(latlng, { radius: 7, color: "#263238", weight: 1, fillColor: colour(f.properties), fillOpacity: 0.9 });
          },
          onEachFeature: function (f, l) { l.bindPopup(popup(f.properties)); }
        }).addTo(map);
        map.fitBounds(layer.getBounds(), { maxZoom: 17, padding: [20, 20] });
      });
    window.shanzhiRegisterMap = map;
  }

  document.addEventListener("DOMContentLoaded", start);
})();
