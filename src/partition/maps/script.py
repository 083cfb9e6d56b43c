"""The maps' own CSS and JavaScript (constant text: no data is ever placed in it)."""

CSS = """
.leaflet-container.leaflet-container{background:#cfe2ee}
.pt-box{background:#fff;padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);font:13px/1.35 sans-serif;color:#222}
.pt-title{max-width:min(440px,calc(100vw - 140px))}
.pt-title h1{margin:0;font:600 15px/1.25 sans-serif}
.pt-title .pt-sub{color:#555;font-size:12px}
.pt-search{margin-top:4px;width:100%;box-sizing:border-box;font:13px sans-serif;padding:3px 5px}
.pt-legend{max-width:330px;max-height:calc(100vh - 140px);overflow:auto;font:12px/1.3 sans-serif}
.pt-legend summary{cursor:pointer;font-weight:600}
.pt-legend table{border-collapse:collapse;margin-top:3px}.pt-legend td{padding:0 3px;vertical-align:top}
.pt-legend td.n{text-align:right;white-space:nowrap}
.pt-swatch{display:inline-block;min-width:18px;padding:0 2px;text-align:center;border:1px solid #555;font-weight:600;border-radius:2px}
.pt-dot{display:inline-block;width:10px;height:10px;border-radius:50%;border:1px solid #333;vertical-align:middle}
.pt-note{color:#555;margin-top:4px}
.pt-configs label{display:block;cursor:pointer}
.pt-tag{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;pointer-events:none;font:600 11px/1.2 sans-serif;color:#111;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.pt-num{display:inline-block;background:#fff;border:1.5px solid #333;border-radius:8px;padding:0 3px;margin-right:2px;text-shadow:none;font-size:10px}
.pt-tag.pt-short .pt-label{display:none}
.pt-town{font:italic 11px sans-serif;color:#444;font-weight:400}
.pt-area{font:600 10px sans-serif;color:#667;letter-spacing:.06em;text-transform:uppercase}
.pt-town,.pt-area{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;pointer-events:none;text-shadow:0 0 3px #fff,0 0 3px #fff}
"""

JS = r"""
(function () {
  'use strict';
  var NARROW = 900;
  function config() {
    var el = document.getElementById('pt-config');
    return el ? JSON.parse(el.textContent) : {maps: {}};
  }
  function decode(s) { var t = document.createElement('textarea'); t.innerHTML = s; return t.value; }
  function control(map, id, position) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var c = L.control({position: position});
    c.onAdd = function () { L.DomEvent.disableClickPropagation(el); L.DomEvent.disableScrollPropagation(el); return el; };
    c.addTo(map);
    el.style.display = '';
    return el;
  }
  function overlaps(r, placed) {
    return placed.some(function (p) {
      return r.left < p.right + 2 && r.right > p.left - 2 && r.top < p.bottom + 1 && r.bottom > p.top - 1;
    });
  }
  // Labels that would overlap at this zoom: larger partnerships keep their name, the others show their
  // number only, or nothing; towns and neighbouring areas give way to partnerships.
  function declutter(map) {
    var tags = Array.prototype.slice.call(map.getContainer().querySelectorAll('.pt-tag,.pt-town,.pt-area'));
    tags.forEach(function (t) { t.classList.remove('pt-short'); t.style.visibility = ''; });
    tags.sort(function (a, b) { return Number(b.dataset.rank) - Number(a.dataset.rank); });
    var box = map.getContainer().getBoundingClientRect();
    var placed = [];
    function bad(r) { return overlaps(r, placed) || r.left < box.left || r.right > box.right; }
    tags.forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (bad(r) && t.classList.contains('pt-tag')) { t.classList.add('pt-short'); r = t.getBoundingClientRect(); }
      if (bad(r)) { t.style.visibility = 'hidden'; } else { placed.push(r); }
    });
  }
  // Padding that keeps the study area clear of the title, legend and controls.
  function padding(map) {
    var box = map.getContainer().getBoundingClientRect();
    var pad = {top: 10, right: 10, bottom: 10, left: 10};
    map.getContainer().querySelectorAll('.leaflet-control').forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (!r.width) { return; }
      var top = r.top - box.top < box.height / 2, left = r.left - box.left < box.width / 2;
      var tall = r.height > box.height * 0.4;
      if (tall && !left) { pad.right = Math.max(pad.right, box.right - r.left + 8); }
      else if (tall) { pad.left = Math.max(pad.left, r.right - box.left + 8); }
      else if (top) { pad.top = Math.max(pad.top, r.bottom - box.top + 8); }
      else { pad.bottom = Math.max(pad.bottom, box.bottom - r.top + 8); }
    });
    return {paddingTopLeft: [pad.left, pad.top], paddingBottomRight: [pad.right, pad.bottom], animate: false};
  }
  function schoolMarkers(map) {
    var out = [];
    map.eachLayer(function (l) {
      if (l.feature && l.feature.properties && l.feature.properties.URN !== undefined && l.getLatLng) { out.push(l); }
    });
    return out;
  }
  function fillList(map, list) {
    list.textContent = '';
    schoolMarkers(map).forEach(function (l) {
      var o = document.createElement('option');
      o.value = decode(l.feature.properties.name);
      list.appendChild(o);
    });
  }
  function findSchool(map, text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    var marks = schoolMarkers(map), hit = null;
    marks.forEach(function (l) { if (!hit && decode(l.feature.properties.name).toLowerCase() === q) { hit = l; } });
    marks.forEach(function (l) { if (!hit && decode(l.feature.properties.name).toLowerCase().indexOf(q) >= 0) { hit = l; } });
    return hit;
  }
  function search(map, input, list) {
    input.addEventListener('focus', function () { fillList(map, list); });
    function go() {
      var hit = findSchool(map, input.value);
      input.setCustomValidity(hit || !input.value ? '' : 'No school of that name');
      if (!hit) { return; }
      map.setView(hit.getLatLng(), Math.max(map.getZoom(), 13), {animate: false});
      hit.fire('click', {latlng: hit.getLatLng()}, true);
    }
    input.addEventListener('change', go);
    input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
    fillList(map, list);
  }
  function layers(names) { return names.map(function (n) { return window[n]; }).filter(Boolean); }
  function choose(map, cfg, index) {
    cfg.configs.forEach(function (c, i) {
      layers(c.layers).forEach(function (l) { if (i === index) { map.addLayer(l); } else { map.removeLayer(l); } });
      var legend = document.getElementById(c.legend);
      if (legend) { legend.style.display = i === index ? '' : 'none'; }
    });
    declutter(map);
  }
  function switcher(map, cfg) {
    var radios = document.querySelectorAll('input[name="' + cfg.radio + '"]');
    radios.forEach(function (r, i) { r.addEventListener('change', function () { if (r.checked) { choose(map, cfg, i); } }); });
    choose(map, cfg, 0);
  }
  function setup(name, cfg) {
    var map = window[name];
    if (!map) { return; }
    control(map, cfg.title, 'topleft');
    var legend = control(map, cfg.legend, 'topright');
    var details = legend && legend.querySelector('details');
    if (details) { details.open = map.getContainer().clientWidth >= NARROW; }
    if (cfg.configs && cfg.configs.length) { switcher(map, cfg); }
    var input = document.getElementById(cfg.title).querySelector('.pt-search');
    if (input) { search(map, input, document.getElementById(input.getAttribute('list'))); }
    map.fitBounds(cfg.bounds, padding(map));
    map.on('zoomend', function () { declutter(map); });
    if (details) { details.addEventListener('toggle', function () { declutter(map); }); }
    declutter(map);
    map.ptReady = true;
  }
  window.addEventListener('load', function () {
    var maps = config().maps;
    Object.keys(maps).forEach(function (name) { setup(name, maps[name]); });
  });
  window.ptDeclutter = declutter;
})();
"""

SYNC_JS = """
L.Map.include({sync: function (other) {
  var self = this;
  this.on('move zoom', function () {
    if (self._syncBusy) { return; }
    other._syncBusy = true;
    other.setView(self.getCenter(), self.getZoom(), {animate: false, reset: true});
    other._syncBusy = false;
  });
  return this;
}});
"""
"""Minimal stand-in for the Leaflet.Sync plugin used by folium's DualMap: keeps two maps' views equal."""
