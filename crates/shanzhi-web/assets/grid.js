// The grid worker's pages (/grid, /grid/report, /grid/self-handle): their
// grid and its open matters on a map, "you are here", the current position
// for a report, and the patrol: a timer from the stored start (it survives
// a reload) and the GPS track, sampled every 30 s and posted in batches.
// Kept apart from app.js: nothing here is shared with the other pages.
(function () {
  "use strict";
  var COLOURS = { none: "#0b5cad", yellow: "#d4a72c", orange: "#e16f24", red: "#cf222e" };
  var SAMPLE_MS = 30000;
  var BATCH = 500;

  function tiles(map) {
    var url = document.body.getAttribute("data-tiles");
    if (url) { L.tileLayer(url, { maxZoom: 18 }).addTo(map); }
  }

  // The grid's outline, its open matters coloured by warning, and the
  // viewer's position when the browser gives it.
  function gridMap() {
    var el = document.getElementById("gw-map");
    if (!el || !window.L) { return null; }
    var map = L.map(el).setView([30.6598, 104.0633], 15);
    tiles(map);
    fetch("/api/v1/grids/" + el.getAttribute("data-grid")).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (f) {
        if (!f) { return; }
        var shape = L.geoJSON(f, { interactive: false, style: { color: "#0b5cad", weight: 2, fillOpacity: 0.06 } }).addTo(map);
        map.fitBounds(shape.getBounds());
      });
    var points = JSON.parse(el.getAttribute("data-points") || "[]");
    points.forEach(function (p) {
      L.circleMarker([p.lat, p.lng], { radius: 8, color: "#fff", weight: 2, fillColor: COLOURS[p.w] || COLOURS.none, fillOpacity: 0.9 })
        .bindPopup("<a href='/m/" + encodeURIComponent(p.n) + "'></a>").on("popupopen", function (e) {
          // Text set as text: the category name is data, never markup.
          var a = e.popup.getElement().querySelector("a");
          if (a) { a.textContent = p.c + " " + p.n; }
        }).addTo(map);
    });
    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = [pos.coords.latitude, pos.coords.longitude];
        L.circleMarker(here, { radius: 7, color: "#fff", weight: 3, fillColor: "#1a7f37", fillOpacity: 1 })
          .bindTooltip(el.getAttribute("data-here")).addTo(map);
        var note = document.getElementById("gw-here-note");
        if (note) { note.hidden = true; }
      }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
    return map;
  }

  // hh:mm:ss since the patrol started, from the stored start time.
  function timer(form) {
    var out = document.getElementById("patrol-timer");
    var started = Date.parse(form.getAttribute("data-started"));
    if (!out || isNaN(started)) { return; }
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var s = Math.max(0, Math.floor((Date.now() - started) / 1000));
      out.textContent = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    }
    tick();
    setInterval(tick, 1000);
  }

  // The GPS track: a point every 30 s while the page is open, sent in
  // batches; points not yet sent wait in sessionStorage across reloads.
  function track(form, map) {
    var id = form.getAttribute("data-patrol");
    var key = "shanzhi-track-" + id;
    var pending = JSON.parse(sessionStorage.getItem(key) || "[]");
    var line = map ? L.polyline([], { color: "#1a7f37", weight: 4 }).addTo(map) : null;
    var info = document.getElementById("patrol-track");
    fetch("/api/v1/patrols/" + encodeURIComponent(id) + "/track").then(function (r) { return r.ok ? r.json() : []; })
      .then(function (pts) {
        if (!line) { return; }
        pts.forEach(function (p) { line.addLatLng([p.lat, p.lng]); });
        if (info && pts.length) { info.textContent = info.getAttribute("data-label") + " " + pts.length; }
      });
    function send() {
      if (!pending.length) { return Promise.resolve(); }
      var batch = pending.slice(0, BATCH);
      return fetch("/api/v1/patrols/" + encodeURIComponent(id) + "/track", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": form.getAttribute("data-csrf") },
        body: JSON.stringify({ points: batch }),
      }).then(function (r) {
        // Sent, or refused for good (a 4xx will not change on retry): drop it.
        if (r.ok || (r.status >= 400 && r.status < 500)) {
          pending = pending.slice(batch.length);
          sessionStorage.setItem(key, JSON.stringify(pending));
        }
        return r.ok ? r.json() : null;
      }).then(function (answer) {
        if (answer && info) { info.textContent = info.getAttribute("data-label") + " " + answer.total; }
      }).catch(function () {});
    }
    function sample() {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var p = { lng: pos.coords.longitude, lat: pos.coords.latitude, at: new Date(pos.timestamp || Date.now()).toISOString() };
        pending.push(p);
        sessionStorage.setItem(key, JSON.stringify(pending));
        if (line) { line.addLatLng([p.lat, p.lng]); }
        send();
      }, function () {}, { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 });
    }
    if (!navigator.geolocation) { return; }
    sample();
    setInterval(sample, SAMPLE_MS);
    // What is left goes before the patrol ends.
    form.addEventListener("submit", function (e) {
      if (!pending.length) { return; }
      e.preventDefault();
      send().then(function () { form.submit(); }, function () { form.submit(); });
    });
  }

  // The report forms: the current position, asked for at once.
  function position() {
    var note = document.getElementById("gw-position");
    var lng = document.getElementById("lng"), lat = document.getElementById("lat");
    if (!note || !lng || !lat || lng.value) { return; }
    if (!navigator.geolocation) { note.textContent = note.getAttribute("data-fail"); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      lng.value = pos.coords.longitude.toFixed(6);
      lat.value = pos.coords.latitude.toFixed(6);
      note.textContent = note.getAttribute("data-got") + "（" + lat.value + ", " + lng.value + "）";
    }, function () { note.textContent = note.getAttribute("data-fail"); },
    { enableHighAccuracy: true, timeout: 20000, maximumAge: 30000 });
  }

  var map = gridMap();
  var patrol = document.getElementById("gw-patrol");
  if (patrol) { timer(patrol); track(patrol, map); }
  position();
})();
