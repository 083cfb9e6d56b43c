"""The maps' own CSS and JavaScript (constant text: no data is ever placed in it)."""

CSS = """
.leaflet-container.leaflet-container{background:#e9e9e6;container-type:size}
.leaflet-container.leaflet-container.pt-sea{background:#cfe2ee}
.pt-box{background:#fff;padding:6px 9px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.35);font:13px/1.35 sans-serif;color:#222}
.pt-title{max-width:min(440px,calc(100cqw - 150px))}
.pt-title h1{margin:0;font:600 15px/1.25 sans-serif}
.pt-title .pt-sub{color:#555;font-size:12px}
.pt-search{margin-top:4px;width:100%;box-sizing:border-box;font:13px sans-serif;padding:3px 5px}
.pt-legend{box-sizing:border-box;max-width:min(330px,calc(100cqw - 30px));max-height:calc(100cqh - 140px);overflow:auto;font:12px/1.3 sans-serif}
@container (max-width: 700px){.pt-legend{max-height:min(50cqh,calc(100cqh - 140px))}}
.pt-legend summary{cursor:pointer;font-weight:600}
.pt-legend details[open]>summary{position:sticky;top:-6px;background:#fff;padding:2px 0}
.pt-legend details[open]>summary::after{content:"✕ Close";float:right;margin-left:12px;padding:0 6px;border:1px solid #888;border-radius:3px;font-weight:400}
.pt-msg{color:#b00000;font-size:12px;margin-top:2px}
.pt-small{color:#888;font-size:10px;margin-top:4px}
.pt-legend table{border-collapse:collapse;margin-top:3px}.pt-legend td{padding:0 3px;vertical-align:top}
.pt-legend td.n{text-align:right;white-space:nowrap}
.pt-swatch{display:inline-block;min-width:18px;padding:0 2px;text-align:center;border:1px solid #555;font-weight:600;border-radius:2px}
.pt-dot{display:inline-block;width:10px;height:10px;border-radius:50%;border:1px solid #333;vertical-align:middle}
.pt-note{color:#555;margin-top:4px}
.pt-configs label{display:block;cursor:pointer}
.pt-tag{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;pointer-events:none;font:600 11px/1.2 sans-serif;color:#111;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff}
.pt-num{display:inline-block;background:#fff;border:1.5px solid #333;border-radius:8px;padding:0 3px;margin-right:2px;text-shadow:none;font-size:10px}
.pt-tag.pt-short .pt-label{display:none}
.pt-tag.pt-wrap{white-space:normal;width:max-content;max-width:96px;text-align:center}
.pt-town{font:italic 11px sans-serif;color:#444;font-weight:400}
.pt-area{font:600 10px sans-serif;color:#667;letter-spacing:.06em;text-transform:uppercase}
.pt-town,.pt-area{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;pointer-events:none;text-shadow:0 0 3px #fff,0 0 3px #fff}
.pt-mem-icon{background:none;border:0}.pt-mem{display:block;overflow:visible}
.pt-key .pt-mem{display:inline-block;vertical-align:middle}
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
  function overlaps(r, placed, pad) {
    return placed.some(function (p) {
      return r.left < p.right + pad + 2 && r.right > p.left - pad - 2 && r.top < p.bottom + pad + 1 && r.bottom > p.top - pad - 1;
    });
  }
  function near(r, q, d) {
    return Math.abs((r.left + r.right) / 2 - (q.left + q.right) / 2) < d && Math.abs((r.top + r.bottom) / 2 - (q.top + q.bottom) / 2) < d;
  }
  // Labels that would overlap at this zoom, each other or the title and legend: larger partnerships keep
  // their name (on one line, else two), the others show their number only, or nothing. Towns and
  // neighbouring areas give way to partnerships (with a margin), and a town is not named again beside
  // a partnership label that already names it.
  function declutter(map) {
    var container = map.getContainer();
    var tags = Array.prototype.slice.call(container.querySelectorAll('.pt-tag,.pt-town,.pt-area'));
    tags.forEach(function (t) { t.classList.remove('pt-short', 'pt-wrap'); t.style.visibility = ''; });
    tags.sort(function (a, b) { return Number(b.dataset.rank) - Number(a.dataset.rank); });
    var box = container.getBoundingClientRect();
    var placed = [], named = [];
    container.querySelectorAll('.leaflet-control').forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width) { placed.push(r); }
    });
    function bad(r, pad) {
      return overlaps(r, placed, pad) || r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom;
    }
    tags.forEach(function (t) {
      var tag = t.classList.contains('pt-tag'), pad = tag ? 0 : 6, r = t.getBoundingClientRect();
      if (!tag) {
        var name = t.textContent.trim().toLowerCase();
        if (named.some(function (n) { return n.text.indexOf(name) >= 0 && near(r, n.rect, 160); })) {
          t.style.visibility = 'hidden';
          return;
        }
      }
      if (bad(r, pad) && tag) { t.classList.add('pt-wrap'); r = t.getBoundingClientRect(); }
      if (bad(r, pad) && tag) { t.classList.remove('pt-wrap'); t.classList.add('pt-short'); r = t.getBoundingClientRect(); }
      if (bad(r, pad)) { t.style.visibility = 'hidden'; return; }
      placed.push(r);
      if (tag && !t.classList.contains('pt-short')) {
        var label = t.querySelector('.pt-label');
        named.push({text: (label ? label.textContent : '').toLowerCase(), rect: r});
      }
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
  // A school by URN (all digits) or by name: exact first, then the first name containing the text.
  function findSchool(map, text) {
    var q = text.trim().toLowerCase();
    if (!q) { return null; }
    var marks = schoolMarkers(map), hit = null;
    if (/^\d+$/.test(q)) {
      marks.forEach(function (l) { if (!hit && String(l.feature.properties.URN) === q) { hit = l; } });
      return hit;
    }
    marks.forEach(function (l) { if (!hit && decode(l.feature.properties.name).toLowerCase() === q) { hit = l; } });
    marks.forEach(function (l) { if (!hit && decode(l.feature.properties.name).toLowerCase().indexOf(q) >= 0) { hit = l; } });
    return hit;
  }
  // Tooltips are bound to the markers' layer group: close every open one.
  function closeTooltips(map) {
    map.eachLayer(function (l) { if (l.getTooltip && l.getTooltip() && l.isTooltipOpen()) { l.closeTooltip(); } });
  }
  var SEARCH_ZOOM = 12, SEARCH_MAX_ZOOM = 13;
  function search(map, input, list) {
    var message = input.parentNode.querySelector('.pt-msg');
    input.addEventListener('focus', function () { fillList(map, list); });
    function go() {
      var text = input.value.trim(), hit = findSchool(map, text);
      if (message) {
        message.textContent = hit || !text ? '' : 'No school matches \u201c' + text + '\u201d (try part of its name or its URN)';
        message.style.display = message.textContent ? '' : 'none';
      }
      if (!hit) { return; }
      // close enough to find the school, far enough to see its partnership and the towns around it
      var zoom = Math.min(Math.max(map.getZoom(), SEARCH_ZOOM), SEARCH_MAX_ZOOM);
      map.setView(hit.getLatLng(), zoom, {animate: false});
      hit.fire('click', {latlng: hit.getLatLng()}, true);
      closeTooltips(map);
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
    if (cfg.sea) { map.getContainer().classList.add('pt-sea'); }
    // a popup replaces the tooltip (which a click or a tap also opens, and would leave open beside it)
    map.on('popupopen', function () { closeTooltips(map); setTimeout(function () { closeTooltips(map); }, 0); });
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
