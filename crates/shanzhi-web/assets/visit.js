// The quick visit form (/grid/visit): the draft is kept in localStorage as
// it is typed; a sent visit goes into a queue (also in localStorage) that is
// sent now, or when the browser is back online. Each draft has its own
// Idempotency-Key, so a resend (the answer lost, the page reloaded) finds
// the same visit and never records two. A photo is uploaded first
// (POST /api/v1/attachments) and its id kept with the queued visit.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var DRAFT = "shanzhi-visit-draft", QUEUE = "shanzhi-visit-queue";
  var csrf = form.getAttribute("data-csrf");
  var status = document.getElementById("visit-status");
  var queueInfo = document.getElementById("visit-queue");
  var resident = document.getElementById("visit-resident");
  var careMark = document.getElementById("visit-care-mark");
  var raised = document.getElementById("visit-raised");
  var photo = document.getElementById("visit-photo");
  var position = document.getElementById("visit-position");
  var sending = false;

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function newKey() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return "visit-" + Array.prototype.map.call(a, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }
  function say(text) { status.textContent = text; }

  var draft = load(DRAFT, null);
  if (!draft || !draft.key) { draft = { key: newKey() }; }
  if (draft.raised) { raised.value = draft.raised; }
  if (resident && draft.resident) { resident.value = draft.resident; }
  function save() {
    draft.raised = raised.value;
    if (resident) { draft.resident = resident.value; }
    store(DRAFT, draft);
  }
  form.addEventListener("input", save);

  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      draft.lng = pos.coords.longitude;
      draft.lat = pos.coords.latitude;
      save();
      position.textContent = form.getAttribute("data-pos");
    }, function () { position.textContent = form.getAttribute("data-nopos"); },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  } else {
    position.textContent = form.getAttribute("data-nopos");
  }

  photo.addEventListener("change", function () {
    var f = photo.files && photo.files[0];
    if (!f) { delete draft.photo; save(); return; }
    var reader = new FileReader();
    reader.onload = function () { draft.photo = reader.result; save(); };
    reader.readAsDataURL(f);
  });

  function showQueue() {
    var q = load(QUEUE, []);
    queueInfo.textContent = q.length ? form.getAttribute("data-waiting") + " " + q.length : "";
  }

  function dataBlob(url) {
    var parts = url.split(","), type = (parts[0].match(/data:([^;]+)/) || [])[1] || "image/jpeg";
    var bin = atob(parts[1] || ""), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return new Blob([bytes], { type: type });
  }

  function failed(r) {
    return r.json().then(function (b) { return (b && b.error && b.error.message) || String(r.status); },
      function () { return String(r.status); });
  }

  // Send the first queued visit, then the next; stop at a network failure
  // (it stays queued). A refusal (4xx) will not change on retry: dropped,
  // with its reason shown.
  function flush() {
    var q = load(QUEUE, []);
    showQueue();
    if (sending || !q.length) { return; }
    if (!navigator.onLine) { say(form.getAttribute("data-queued")); return; }
    sending = true;
    say(form.getAttribute("data-sending"));
    var item = q[0];
    var upload = (item.photo && !item.images)
      ? fetch("/api/v1/attachments", { method: "POST", headers: { "x-csrf-token": csrf, "content-type": dataBlob(item.photo).type }, body: dataBlob(item.photo) })
        .then(function (r) {
          if (!r.ok) { return failed(r).then(function (m) { throw { refused: m }; }); }
          return r.json();
        }).then(function (a) {
          item.images = [a.id];
          delete item.photo;
          q[0] = item;
          store(QUEUE, q);
        })
      : Promise.resolve();
    upload.then(function () {
      var body = { raised: item.raised, images: item.images || [] };
      if (item.care_mark) { body.care_mark = item.care_mark; } else { body.resident = item.resident; }
      if (typeof item.lng === "number") { body.lng = item.lng; body.lat = item.lat; }
      return fetch("/api/v1/visits", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf, "idempotency-key": item.key },
        body: JSON.stringify(body),
      });
    }).then(function (r) {
      if (r.ok) { return r.json().then(done); }
      if (r.status >= 400 && r.status < 500) { return failed(r).then(function (m) { throw { refused: m }; }); }
      throw { retry: true };
    }).then(function () {
      sending = false;
      flush();
    }, function (e) {
      sending = false;
      if (e && e.refused) {
        drop(item.key);
        say(e.refused);
      } else {
        say(form.getAttribute("data-queued"));
      }
      showQueue();
    });
  }

  function drop(key) {
    store(QUEUE, load(QUEUE, []).filter(function (i) { return i.key !== key; }));
  }

  function done(visit) {
    var q = load(QUEUE, []);
    drop(q.length ? q[0].key : "");
    say(form.getAttribute("data-sent") + "：" + visit.subject_name + "（" + visit.at + "）");
    var section = document.getElementById("visit-done");
    section.hidden = false;
    section.setAttribute("data-visit", visit.id);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    save();
    var item = { key: draft.key, raised: draft.raised, lng: draft.lng, lat: draft.lat, photo: draft.photo };
    if (careMark) { item.care_mark = careMark.value; } else { item.resident = draft.resident; }
    var q = load(QUEUE, []);
    q.push(item);
    if (!store(QUEUE, q)) { delete item.photo; store(QUEUE, q); }
    // A fresh draft (and key) for the next visit.
    draft = { key: newKey(), lng: draft.lng, lat: draft.lat };
    store(DRAFT, draft);
    raised.value = "";
    photo.value = "";
    flush();
  });

  var matter = document.getElementById("visit-matter");
  matter.addEventListener("submit", function (e) {
    e.preventDefault();
    var id = document.getElementById("visit-done").getAttribute("data-visit");
    var out = document.getElementById("visit-matter-status");
    fetch("/api/v1/visits/" + encodeURIComponent(id) + "/matter", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ category: matter.category.value, description: matter.description.value }),
    }).then(function (r) {
      if (!r.ok) { return failed(r).then(function (m) { out.textContent = m; }); }
      return r.json().then(function (a) {
        out.textContent = "";
        var link = document.createElement("a");
        link.href = "/m/" + encodeURIComponent(a.matter.number);
        link.textContent = a.matter.number;
        out.appendChild(link);
      });
    }, function () { out.textContent = form.getAttribute("data-queued"); });
  });

  window.addEventListener("online", flush);
  flush();
})();
