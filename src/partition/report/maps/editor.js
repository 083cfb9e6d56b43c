// The planner's editor (edit.html): move schools between partnerships, with live figures.
// Static file of partition.report.maps, inlined when the page is written. Data comes only from the JSON block
// #pt-edit-data and is shown only through textContent (never innerHTML).
// The figures mirror partition.model.scoring.configuration_scores for the same assignment (tested in Chromium).
(function () {
  'use strict';

  // ---------------------------------------------------------------- scoring (pure functions of the labels)

  var CENTROID_EPS = 1e-9;

  var NO_MEMBERS = {urn: [], name: [], kind: [], words: [], type: [], numbers: [], unit: [], also: [], lat: [], lng: []};

  function prepare(D) {
    if (!D.members) { D.members = NO_MEMBERS; }
    var s = D.schools, n = s.urn.length, nu = D.units.adjacency.length;
    var unitSchools = [];
    for (var u = 0; u < nu; u++) { unitSchools.push([]); }
    for (var i = 0; i < n; i++) { unitSchools[s.unit[i]].push(i); }
    var lockOf = {}, whyOf = {};
    D.locks.forEach(function (g, j) { g.forEach(function (u) { lockOf[u] = g; whyOf[u] = (D.lock_reasons || [])[j] || []; }); });
    var order = D.partnerships.map(function (p, j) { return j; });
    return {n: n, nu: nu, P: D.partnerships.length, unitSchools: unitSchools, lockOf: lockOf, whyOf: whyOf,
      xkm: s.x.map(function (v) { return v / 1000; }), ykm: s.y.map(function (v) { return v / 1000; }), order: order};
  }

  // The partnership of each unit: the one holding most of its pupils (as partition.planning.planner.plan_from_assignment),
  // a unit without schools the partnership of its first labelled neighbour.
  function unitLabels(D, G, labels, names) {
    var out = new Array(G.nu), s = D.schools;
    for (var u = 0; u < G.nu; u++) {
      var members = G.unitSchools[u];
      if (!members.length) { out[u] = -1; continue; }
      var w = {};
      members.forEach(function (i) { w[labels[i]] = (w[labels[i]] || 0) + s.pupils[i] + 1e-6; });
      var best = -1;
      Object.keys(w).forEach(function (key) {
        var l = Number(key);
        if (best < 0 || w[l] > w[best] || (w[l] === w[best] && names[l] < names[best])) { best = l; }
      });
      out[u] = best;
    }
    for (u = 0; u < G.nu; u++) {
      if (out[u] >= 0 || G.unitSchools[u].length) { continue; }
      var near = D.units.adjacency[u].filter(function (v) { return out[v] >= 0; });
      out[u] = near.length ? out[near[0]] : 0;
    }
    return out;
  }

  function limits(bound, total, k) {
    var low = 0, high = Infinity;
    if (bound.tolerance !== null && bound.tolerance !== undefined) {
      var mean = total / k;
      low = mean * (1 - bound.tolerance); high = mean * (1 + bound.tolerance);
    }
    if (bound.min !== null && bound.min !== undefined) { low = Math.max(low, bound.min); }
    if (bound.max !== null && bound.max !== undefined) { high = Math.min(high, bound.max); }
    return [low, high];
  }

  // what each size measure counts, in words (partition.core.measures.MEASURES, passed in D.measure_words)
  var WORDS = {pupils: 'pupils', n_schools: 'schools', population: 'children (population)'};

  // Every figure of the configuration for one assignment (labels: partnership index of each school).
  function score(D, G, labels, names) {
    var s = D.schools, n = G.n, P = G.P, i, p;
    var rows = [];
    for (p = 0; p < P; p++) {
      rows.push({index: p, schools: 0, pupils: 0, anchors: 0, sx: 0, sy: 0, districts: {}, members: [], fsm: 0, fsmKnown: 0});
    }
    var W = 0;
    for (i = 0; i < n; i++) {
      var r = rows[labels[i]], w = s.pupils[i];
      r.schools += 1; r.pupils += w; r.anchors += s.anchor[i] ? 1 : 0;
      if (s.fsm && s.fsm[i] !== null) { r.fsm += s.fsm[i]; r.fsmKnown += w; }  // need.fsm_pupils
      r.sx += w * G.xkm[i]; r.sy += w * G.ykm[i];
      r.districts[s.district[i]] = true; r.members.push(i);
      W += w;
    }
    var present = rows.filter(function (row) { return row.schools > 0; });
    var k = present.length;
    // wdist: pupil-weighted mean distance to the partnership's pupil-weighted centroid (scoring.wdist)
    var wd = 0, hub = 0;
    present.forEach(function (row) {
      var cx = row.sx / Math.max(row.pupils, CENTROID_EPS), cy = row.sy / Math.max(row.pupils, CENTROID_EPS), t = 0;
      row.members.forEach(function (m) { t += s.pupils[m] * Math.hypot(G.xkm[m] - cx, G.ykm[m] - cy); });
      row.wdistSum = row.pupils > 0 ? t : 0;
      row.wdist = row.pupils > 0 ? t / row.pupils : 0;
      wd += row.wdistSum;
      // hub: the best hub school (an anchor school when anchors are required; any when it has none)
      var cands = D.anchors ? row.members.filter(function (m) { return s.anchor[m]; }) : row.members;
      if (!cands.length) { cands = row.members; }
      var best = Infinity;
      cands.forEach(function (c) {
        var cost = 0;
        row.members.forEach(function (m) { cost += s.pupils[m] * Math.hypot(G.xkm[m] - G.xkm[c], G.ykm[m] - G.ykm[c]); });
        if (cost < best) { best = cost; }
      });
      row.hubSum = best;
      hub += best;
    });
    var mean = W / k;
    present.forEach(function (row) {
      row.deviation = row.pupils / mean - 1;
      row.nDistricts = Object.keys(row.districts).length;
    });
    // connectivity on the unit graph (scoring.contiguous_parts) and cut edges
    var ul = unitLabels(D, G, labels, names), seen = new Array(G.nu).fill(false), pieces = {}, pieceOf = new Array(G.nu);
    var pieceUnits = {};
    for (var u = 0; u < G.nu; u++) {
      if (seen[u]) { continue; }
      var label = ul[u], stack = [u], comp = [];
      seen[u] = true;
      while (stack.length) {
        var v = stack.pop();
        comp.push(v);
        D.units.adjacency[v].forEach(function (x) { if (!seen[x] && ul[x] === label) { seen[x] = true; stack.push(x); } });
      }
      pieces[label] = (pieces[label] || 0) + 1;
      (pieceUnits[label] = pieceUnits[label] || []).push(comp);
    }
    // members (colleges, special schools, PRUs) follow the unit they stand in; they count in no figure above
    present.forEach(function (row) { row.members_of = {college: 0, special: 0, pru: 0}; });
    var M = D.members, memberLabels = M.urn.map(function (urn, j) { return ul[M.unit[j]]; });
    memberLabels.forEach(function (l, j) {
      var row = rows[l];
      if (row && row.members_of && row.members_of[M.kind[j]] !== undefined) { row.members_of[M.kind[j]] += 1; }
    });
    // need living in each partnership: the units' shares of children (need.partnership_need)
    present.forEach(function (row) { row.need = {}; });
    ['population', 'low_income'].forEach(function (m) {
      if (!D.units[m]) { return; }
      for (var x = 0; x < G.nu; x++) { if (rows[ul[x]] && rows[ul[x]].need) { rows[ul[x]].need[m] = (rows[ul[x]].need[m] || 0) + D.units[m][x]; } }
    });
    var cut = 0;
    for (u = 0; u < G.nu; u++) {
      D.units.adjacency[u].forEach(function (x) { if (x > u && ul[x] !== ul[u]) { cut += 1; } });
    }
    // units away from a partnership's largest piece (drawn as such on the map)
    var detached = {};
    Object.keys(pieceUnits).forEach(function (label) {
      var comps = pieceUnits[label].slice().sort(function (a, b) { return b.length - a.length; });
      comps.slice(1).forEach(function (c) { c.forEach(function (x) { detached[x] = true; }); });
    });
    // sites shared by schools of different partnerships
    var splitSites = 0;
    G.unitSchools.forEach(function (members) {
      if (members.some(function (m) { return labels[m] !== labels[members[0]]; })) { splitSites += 1; }
    });
    // districts: pieces beyond the first (per district, as planners count), districts divided
    var perDistrict = {};
    for (i = 0; i < n; i++) { (perDistrict[s.district[i]] = perDistrict[s.district[i]] || {})[labels[i]] = true; }
    var pairs = 0, divided = 0, nd = 0;
    Object.keys(perDistrict).forEach(function (d) {
      var c = Object.keys(perDistrict[d]).length;
      pairs += c; nd += 1; if (c > 1) { divided += 1; }
    });
    // districts kept whole: no partnership with schools in the district reaches into another (compare.districts_whole)
    var spans = {}, crossed = {};
    for (i = 0; i < n; i++) { (spans[labels[i]] = spans[labels[i]] || {})[s.district[i]] = true; }
    for (i = 0; i < n; i++) { if (Object.keys(spans[labels[i]]).length > 1) { crossed[s.district[i]] = true; } }
    var districtsWhole = nd - Object.keys(crossed).length;
    // the rules of the spec
    present.forEach(function (row) {
      row.pieces = pieces[row.index] || 0;
      row.broken = [];
      row.bad = {};
    });
    var violations = [];
    if (k !== D.k) { violations.push('it has ' + k + ' partnerships instead of ' + D.k); }
    if (splitSites) { violations.push(splitSites + ' school site(s) are shared by schools of different partnerships'); }
    var limitsShown = [];
    D.bounds.forEach(function (bound) {
      var values = {};
      if (bound.attribute === 'pupils') { present.forEach(function (row) { values[row.index] = row.pupils; }); }
      else if (bound.attribute === 'n_schools') { present.forEach(function (row) { values[row.index] = row.schools; }); }
      else if (bound.attribute === 'fsm') { present.forEach(function (row) { values[row.index] = row.fsm; }); }
      else if (D.units[bound.attribute]) {
        present.forEach(function (row) { values[row.index] = row.need[bound.attribute] || 0; });
      } else { return; }
      var total = 0;
      Object.keys(values).forEach(function (key) { total += values[key]; });
      var lim = limits(bound, total, k), word = (D.measure_words || WORDS)[bound.attribute];
      limitsShown.push({attribute: bound.attribute, low: lim[0], high: lim[1]});
      var over = [], under = [];
      present.forEach(function (row) {
        var val = values[row.index];
        if (val === undefined) { return; }
        if (val > lim[1] + 1e-9) { over.push(row); row.bad[bound.attribute] = 'over'; row.broken.push('more ' + word + ' than allowed'); }
        if (val < lim[0] - 1e-9) { under.push(row); row.bad[bound.attribute] = 'under'; row.broken.push('fewer ' + word + ' than allowed'); }
      });
      function listed(list) { return limited(list.map(function (row) { return names[row.index] + ' (' + fmtInt(values[row.index]) + ')'; })); }
      over.sort(function (a, b) { return values[b.index] - values[a.index]; });
      under.sort(function (a, b) { return values[a.index] - values[b.index]; });
      if (over.length) { violations.push(plural(over.length) + ' more ' + word + ' than allowed (at most ' + fmtInt(lim[1]) + '): ' + listed(over)); }
      if (under.length) { violations.push(plural(under.length) + ' fewer ' + word + ' than allowed (at least ' + fmtInt(lim[0]) + '): ' + listed(under)); }
    });
    var noAnchor = present.filter(function (row) { return row.anchors === 0; });
    if (D.anchors && noAnchor.length) {
      noAnchor.forEach(function (row) { row.bad.anchors = true; row.broken.push('no secondary, all-through school or college'); });
      var missing = noAnchor.map(function (row) { return names[row.index]; }).sort(byText);
      violations.push(plural(noAnchor.length) + ' no secondary, all-through school or college: ' + missing.slice(0, 8).join(', ') +
        (missing.length > 8 ? ' and ' + (missing.length - 8) + ' more' : ''));
    }
    var crossing = D.nest ? present.filter(function (row) { return row.nDistricts > 1; }) : [];
    if (crossing.length) {
      crossing.forEach(function (row) { row.bad.districts = true; row.broken.push('crosses a district boundary'); });
      violations.push(plural(crossing.length, 'cross') + ' a district boundary, though each must lie inside one district: ' +
        limited(crossing.slice().sort(function (a, b) { return byText(names[a.index], names[b.index]); }).map(function (row) {
          return names[row.index] + ' (' + row.nDistricts + ' districts)';
        })));
    }
    var split = present.filter(function (row) { return row.pieces > 1; });
    if (split.length) {
      split.forEach(function (row) { row.bad.pieces = true; row.broken.push('in ' + row.pieces + ' separate pieces'); });
      violations.push(plural(split.length, 'are') + ' in separate pieces, not one connected area: ' +
        limited(split.slice().sort(function (a, b) { return byText(names[a.index], names[b.index]); }).map(function (row) {
          return names[row.index] + ' (' + row.pieces + ' pieces)';
        })));
    }
    var towns = dividedTowns(s, labels, limitsShown);
    var changed = 0;
    for (i = 0; i < n; i++) { if (labels[i] !== D.start[i]) { changed += 1; } }
    var devs = present.map(function (row) { return Math.abs(row.deviation); });
    var counts = present.map(function (row) { return row.schools; });
    return {
      k: k,
      schools: n,
      wdist_km: W > 0 ? wd / W : 0,
      hub_km: W > 0 ? hub / W : 0,
      max_abs_deviation: Math.max.apply(null, devs),
      mean_abs_deviation: devs.reduce(function (a, b) { return a + b; }, 0) / devs.length,
      min_schools: Math.min.apply(null, counts),
      max_schools: Math.max.apply(null, counts),
      contiguous: present.every(function (row) { return row.pieces === 1; }),
      anchors_missing: noAnchor.length,
      cut_edges: cut,
      district_splits: pairs - nd,
      districts_divided: divided,
      districts_whole: districtsWhole,
      settlements_divided: towns.length,
      towns_divided: towns,
      partnerships_spanning_districts: present.filter(function (row) { return row.nDistricts > 1; }).length,
      schools_changed: changed,
      violations: violations,
      limits: limitsShown,
      table: present.map(function (row) {
        return {index: row.index, id: D.partnerships[row.index].id, name: names[row.index], schools: row.schools,
          pupils: row.pupils, deviation: row.deviation, anchors: row.anchors, pieces: row.pieces,
          wdist_km: row.wdist, n_districts: row.nDistricts, broken: row.broken, bad: row.bad,
          colleges: row.members_of.college, special_schools: row.members_of.special, prus: row.members_of.pru,
          fsm: row.fsm, fsm_pct: row.fsmKnown > 0 ? 100 * row.fsm / row.fsmKnown : null,
          population: row.need.population, low_income: row.need.low_income};
      }),
      unitLabels: ul,
      memberLabels: memberLabels,
      detached: detached
    };
  }

  // Towns and villages of two or more schools put in two or more partnerships although their pupils fit in one
  // (partition.analysis.settlements.settlement_details): [{name, pupils, partnerships}], largest first.
  function dividedTowns(s, labels, limitsShown) {
    var pupilLimit = limitsShown.filter(function (l) { return l.attribute === 'pupils'; })[0];
    var high = pupilLimit ? pupilLimit.high : Infinity, towns = {};
    for (var i = 0; i < labels.length; i++) {
      var place = s.place[i];
      if (!place) { continue; }
      var t = towns[place] = towns[place] || {name: place, schools: 0, pupils: 0, labels: {}};
      t.schools += 1; t.pupils += s.pupils[i]; t.labels[labels[i]] = true;
    }
    return Object.keys(towns).map(function (key) { return towns[key]; }).filter(function (t) {
      t.partnerships = Object.keys(t.labels).length;
      return t.schools >= 2 && !(t.pupils > high) && t.partnerships > 1;
    }).sort(function (a, b) { return b.pupils - a.pupils || byText(a.name, b.name); }).map(function (t) {
      return {name: t.name, pupils: t.pupils, partnerships: t.partnerships};
    });
  }

  function plural(count, verb) {
    var one = {are: 'is', cross: 'crosses'}[verb] || 'has';
    return count === 1 ? '1 partnership ' + one : count + ' partnerships ' + (verb || 'have');
  }
  // As partition.analysis.rules._names: at most 8 listed, then "and N more".
  function limited(items) { return items.slice(0, 8).join(', ') + (items.length > 8 ? ' and ' + (items.length - 8) + ' more' : ''); }
  function byText(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function fmtInt(v) { return Math.round(v).toLocaleString('en-GB'); }
  function fmtPct(v) { return (v >= 0 ? '+' : '\u2212') + Math.abs(100 * v).toFixed(1) + '\u00a0%'; }

  // ---------------------------------------------------------------- the page

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function Editor(D) {
    var self = this;
    this.D = D;
    this.G = prepare(D);
    this.labels = D.start.slice();
    this.startNames = D.partnerships.map(function (p) { return p.name; });
    this.names = this.startNames.slice();
    this.history = [];
    this.pos = 0;
    this.selected = null;
    this.selectedMember = null;
    this.panel = document.getElementById('pt-editor');
    this.map = window[D.map];
    this.role = function (name) { return self.panel.querySelector('[data-role="' + name + '"]'); };
  }

  Editor.prototype.scores = function () { return score(this.D, this.G, this.labels, this.names); };

  Editor.prototype.partnershipIndex = function (id) {
    for (var j = 0; j < this.D.partnerships.length; j++) { if (this.D.partnerships[j].id === id) { return j; } }
    return -1;
  };
  Editor.prototype.schoolIndex = function (urn) { return this.D.schools.urn.indexOf(Number(urn)); };
  Editor.prototype.label = function (p) { return this.D.partnerships[p].number + ' ' + this.names[p]; };

  // The units that move with unit u (its lock group) and their schools.
  Editor.prototype.group = function (u) {
    var units = this.G.lockOf[u] || [u], G = this.G, schools = [];
    units.forEach(function (x) { G.unitSchools[x].forEach(function (i) { schools.push(i); }); });
    return {units: units, schools: schools};
  };

  // Partnerships the group of unit u may move to: those of the units next to it, other than its own.
  Editor.prototype.options = function (u, current) {
    var g = this.group(u), ul = current.unitLabels, D = this.D, own = {}, seen = {}, out = [];
    g.units.forEach(function (x) { own[ul[x]] = true; });
    var inGroup = {};
    g.units.forEach(function (x) { inGroup[x] = true; });
    g.units.forEach(function (x) {
      D.units.adjacency[x].forEach(function (y) {
        var l = ul[y];
        if (!inGroup[y] && !own[l] && !seen[l]) { seen[l] = true; out.push(l); }
      });
    });
    return out.sort(function (a, b) { return a - b; });
  };

  // What moving the group of unit u to partnership p would do (figures after the move, rules it breaks).
  Editor.prototype.preview = function (u, p, before) {
    var g = this.group(u), labels = this.labels.slice();
    var from = {};
    g.schools.forEach(function (i) { from[labels[i]] = true; labels[i] = p; });
    var after = score(this.D, this.G, labels, this.names);
    var rowOf = function (sc, j) { return sc.table.filter(function (r) { return r.index === j; })[0]; };
    var problems = [], splits = false, self = this;
    var involved = [p].concat(Object.keys(from).map(Number));
    involved.forEach(function (j) {
      var a = rowOf(after, j), b = rowOf(before, j);
      if (!a) { problems.push(self.label(j) + ' would have no schools left'); return; }
      if (a.pieces > (b ? b.pieces : 1)) { splits = true; problems.push('splits ' + self.label(j) + ' into ' + a.pieces + ' pieces'); }
      a.broken.forEach(function (text) {
        if (!b || b.broken.indexOf(text) < 0) { problems.push(self.label(j) + ': ' + text); }
      });
    });
    var target = rowOf(after, p);
    var text = 'pupils ' + fmtInt(target.pupils) + ' (' + fmtPct(target.deviation) + ')';
    Object.keys(from).map(Number).forEach(function (j) {
      var a = rowOf(after, j);
      if (a) { text += '; ' + self.names[j] + ' ' + fmtInt(a.pupils) + ' (' + fmtPct(a.deviation) + ')'; }
    });
    text += '; average distance to centre ' + after.wdist_km.toFixed(3) + ' km';
    return {text: text, problems: problems, splits: splits, after: after};
  };

  // ---- changes: each is applied and undone exactly (labels and names restored as they were)

  Editor.prototype.apply = function (action) {
    var self = this;
    if (action.kind === 'move') { action.schools.forEach(function (i) { self.labels[i] = action.to; }); }
    else if (action.kind === 'rename') { this.names[action.p] = action.after; }
    else if (action.kind === 'reset') { this.labels = this.D.start.slice(); this.names = this.startNames.slice(); }
  };
  Editor.prototype.unapply = function (action) {
    var self = this;
    if (action.kind === 'move') { action.schools.forEach(function (i, j) { self.labels[i] = action.before[j]; }); }
    else if (action.kind === 'rename') { this.names[action.p] = action.before; }
    else if (action.kind === 'reset') { this.labels = action.labels.slice(); this.names = action.names.slice(); }
  };
  Editor.prototype.push = function (action) {
    this.history = this.history.slice(0, this.pos);
    this.history.push(action);
    this.apply(action);
    this.pos = this.history.length;
    this.render();
  };

  Editor.prototype.move = function (urn, id, note) {
    var i = this.schoolIndex(urn), p = this.partnershipIndex(id);
    if (i < 0) { return {ok: false, message: 'No school has URN ' + urn}; }
    if (p < 0) { return {ok: false, message: 'No partnership ' + id}; }
    var u = this.D.schools.unit[i], before = this.scores();
    if (this.options(u, before).indexOf(p) < 0) {
      return {ok: false, message: this.D.schools.name[i] + ' cannot move to ' + this.label(p) + ': not a neighbouring partnership'};
    }
    var look = this.preview(u, p, before);
    if (look.splits && this.keepWhole()) {
      return {ok: false, message: 'Refused: ' + look.problems.filter(function (t) { return t.indexOf('splits') === 0; }).join('; ')};
    }
    var g = this.group(u), self = this;
    var from = g.schools.map(function (j) { return self.labels[j]; });
    var fromNames = from.filter(function (x, j) { return from.indexOf(x) === j; }).map(function (x) { return self.label(x); });
    var M = this.D.members, units = g.schools.map(function (j) { return self.D.schools.unit[j]; });
    var carried = M.urn.map(function (x, j) { return j; }).filter(function (j) { return units.indexOf(M.unit[j]) >= 0; })
      .map(function (j) { return M.name[j]; });
    var text = 'Moved ' + this.D.schools.name[i] + (g.schools.length > 1 ? ' and ' + (g.schools.length - 1) + ' more school(s) with it' : '') +
      ' from ' + fromNames.join(', ') + ' to ' + this.label(p) +
      (carried.length ? ', with ' + carried.join(' and ') + ' (standing in its area)' : '');
    this.push({kind: 'move', schools: g.schools, before: from, to: p, note: String(note || '').trim(), text: text,
      problems: look.problems});
    return {ok: true, message: text, problems: look.problems};
  };

  Editor.prototype.rename = function (id, name) {
    var p = this.partnershipIndex(id), text = String(name === undefined || name === null ? '' : name).trim(), self = this;
    if (p < 0) { return {ok: false, message: 'No partnership ' + id}; }
    if (!text) { return {ok: false, message: 'A partnership needs a name'}; }
    if (text.length > 80) { return {ok: false, message: 'Keep the name to 80 characters'}; }
    var clash = this.names.filter(function (x, j) { return j !== p && x.toLowerCase() === text.toLowerCase(); });
    if (clash.length) { return {ok: false, message: 'Another partnership is already called \u201c' + clash[0] + '\u201d'}; }
    if (text === this.names[p]) { return {ok: true, message: ''}; }
    var before = this.names[p];
    this.push({kind: 'rename', p: p, before: before, after: text, note: '',
      text: 'Renamed ' + this.D.partnerships[p].number + ' ' + before + ' to ' + text});
    return {ok: true, message: 'Renamed ' + before + ' to ' + text};
  };

  Editor.prototype.undo = function () {
    if (this.pos === 0) { return false; }
    this.pos -= 1; this.unapply(this.history[this.pos]); this.render(); return true;
  };
  Editor.prototype.redo = function () {
    if (this.pos >= this.history.length) { return false; }
    this.apply(this.history[this.pos]); this.pos += 1; this.render(); return true;
  };
  Editor.prototype.reset = function () {
    this.push({kind: 'reset', labels: this.labels.slice(), names: this.names.slice(), note: '',
      text: 'Reset to the plan as it was opened'});
  };

  // Notes of the changes now applied, per school (a reset starts again).
  Editor.prototype.notes = function () {
    var out = {};
    this.history.slice(0, this.pos).forEach(function (a) {
      if (a.kind === 'reset') { out = {}; }
      if (a.kind === 'move' && a.note) { a.schools.forEach(function (i) { (out[i] = out[i] || []).push(a.note); }); }
    });
    return out;
  };

  Editor.prototype.assignment = function () {
    var D = this.D, self = this, notes = this.notes();
    return D.schools.urn.map(function (urn, i) {
      var moved = self.labels[i] !== D.start[i];
      return {urn: urn, partnership: self.names[self.labels[i]], note: (notes[i] || []).join(' | '), moved: moved};
    }).sort(function (a, b) { return a.urn - b.urn; });
  };

  function csvField(text) {
    var t = String(text);
    return /[",\r\n]|^\s|\s$/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  }
  // Text a spreadsheet would run as a formula is kept as text: a quote goes before each start of a cell
  // (the start, and after a semicolon or line break) followed by quotes and one of = + - @ tab CR NUL.
  // The same rule as partition.core.csvsafe.neutralise_text, which partition's readers undo exactly.
  var FORMULA_AHEAD = /'*[=+\-@\t\r\0]/y;
  function spreadsheetText(text) {
    var t = String(text), out = '', start = true;
    for (var i = 0; i < t.length; i++) {
      FORMULA_AHEAD.lastIndex = i;
      if (start && FORMULA_AHEAD.test(t)) { out += "'"; }
      var c = t.charAt(i);
      out += c;
      start = c === ';' || c === '\r' || c === '\n';
    }
    return out;
  }

  // Each member (college, special school, PRU) in the partnership of the unit it stands in, by URN.
  Editor.prototype.memberRows = function () {
    var M = this.D.members, self = this, ml = this.scores().memberLabels;
    return M.urn.map(function (urn, j) {
      return {urn: urn, name: M.name[j], kind: M.kind[j], partnership: self.names[ml[j]], id: self.D.partnerships[ml[j]].id};
    }).sort(function (a, b) { return a.urn - b.urn; });
  };

  Editor.prototype.csv = function () {
    // moved = yes marks the planner's moves: partition plan --lock-from pins those rows only;
    // counted = no marks the members, which follow their unit (partition's readers leave those rows out)
    var lines = ['URN,partnership,note,moved,counted'];
    this.assignment().forEach(function (r) {
      lines.push([String(r.urn), csvField(spreadsheetText(r.partnership)), csvField(spreadsheetText(r.note)), r.moved ? 'yes' : '', 'yes'].join(','));
    });
    this.memberRows().forEach(function (r) {
      lines.push([String(r.urn), csvField(spreadsheetText(r.partnership)), '', '', 'no'].join(','));
    });
    return lines.join('\r\n') + '\r\n';
  };

  Editor.prototype.download = function () {
    var blob = new Blob([this.csv()], {type: 'text/csv;charset=utf-8'});
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = this.D.configuration + '-edited.csv';
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  };

  Editor.prototype.keepWhole = function () { return this.role('keep-whole').checked; };

  Editor.prototype.say = function (text, ok) {
    var m = this.role('message');
    m.textContent = text || '';
    m.className = 'pt-ed-msg' + (ok ? ' pt-ed-ok' : '');
  };

  // ---- drawing

  var UNIT_STYLE = {color: '#ffffff', weight: 0.6, opacity: 0.7, dashArray: null};
  var CHANGED_STYLE = {color: '#000000', weight: 1.8, opacity: 0.9, dashArray: '3 3'};
  var DETACHED_STYLE = {color: '#b00000', weight: 2.5, opacity: 1, dashArray: '5 3'};
  var SELECTED_STYLE = {color: '#000000', weight: 4, opacity: 1, dashArray: null};

  // A member's symbol (as partition.report.maps.layers.member_symbol): a square, diamond or triangle on a white halo.
  var SVG_NS = 'http://www.w3.org/2000/svg';
  function memberSymbol(style, size) {
    var svg = document.createElementNS(SVG_NS, 'svg'), h = size / 2, e = size - 1, w = size - 6;
    svg.setAttribute('class', 'pt-mem');
    svg.setAttribute('width', String(size)); svg.setAttribute('height', String(size));
    svg.setAttribute('viewBox', '0 0 ' + size + ' ' + size);
    svg.setAttribute('aria-hidden', 'true');
    [['none', '#fff', '3.5'], [style[0], '#222', '1.3']].forEach(function (paint) {
      var shape;
      if (style[1] === 'square') {
        shape = document.createElementNS(SVG_NS, 'rect');
        shape.setAttribute('x', '3'); shape.setAttribute('y', '3');
        shape.setAttribute('width', String(w)); shape.setAttribute('height', String(w));
      } else {
        shape = document.createElementNS(SVG_NS, 'polygon');
        var pts = style[1] === 'diamond' ? [h, 1, e, h, h, e, 1, h] : [h, 1.5, e, e, 1, e];
        shape.setAttribute('points', pts.join(' '));
      }
      shape.setAttribute('fill', paint[0]); shape.setAttribute('stroke', paint[1]);
      shape.setAttribute('stroke-width', paint[2]); shape.setAttribute('stroke-linejoin', 'round');
      svg.appendChild(shape);
    });
    return svg;
  }

  Editor.prototype.draw = function () {
    var self = this, D = this.D, map = this.map;
    this.unitLayers = D.units.polygons.map(function (polys, u) {
      var layer = L.polygon(polys, Object.assign({fillOpacity: 0.55, fillColor: '#ccc'}, UNIT_STYLE));
      layer.on('click', function () { self.select(u); });
      return layer.addTo(map);
    });
    this.borderLayers = D.borders.map(function (b) {
      return L.polyline(b[2], {color: '#222', weight: 2.2, opacity: 0, interactive: false}).addTo(map);
    });
    var s = D.schools;
    this.markers = s.urn.map(function (urn, i) {
      var kind = D.kinds[s.kind[i]] || D.kinds.other;
      var m = L.circleMarker([s.lat[i], s.lng[i]], {radius: kind[1], fillColor: kind[0], color: '#333', weight: 1, fillOpacity: 0.95});
      m.bindTooltip(function () { return el('span', s.name[i] + ' (' + urn + ')'); });
      m.on('click', function () { self.select(s.unit[i], i); });
      return m.addTo(map);
    });
    var M = D.members;
    this.memberMarkers = M.urn.map(function (urn, j) {
      var icon = L.divIcon({html: memberSymbol(D.member_style[M.kind[j]] || D.member_style.college, 16), className: 'pt-mem-icon',
        iconSize: [16, 16], iconAnchor: [8, 8]});
      var m = L.marker([M.lat[j], M.lng[j]], {icon: icon, keyboard: false, zIndexOffset: -100000});
      m.bindTooltip(function () { return el('span', M.name[j] + ' (' + M.words[j].toLowerCase() + ')'); });
      m.on('click', function () { self.select(M.unit[j], null, false, j); });
      return m.addTo(map);
    });
    this.tags = D.partnerships.map(function (p) {
      var tag = el('div', null, 'pt-tag'), num = el('span', p.number, 'pt-num'), name = el('span', p.name, 'pt-label');
      num.style.borderColor = p.colour;
      tag.appendChild(num); tag.appendChild(name);
      var marker = L.marker([0, 0], {icon: L.divIcon({html: tag, className: '', iconSize: [0, 0]}), interactive: false, keyboard: false});
      return {marker: marker, tag: tag, num: num, name: name, shown: false};
    });
  };

  // A partnership's label: at its school nearest to its pupil-weighted centre.
  Editor.prototype.labelPoints = function () {
    var s = this.D.schools, G = this.G, labels = this.labels, acc = {};
    labels.forEach(function (l, i) {
      var a = acc[l] = acc[l] || {w: 0, x: 0, y: 0, members: []};
      var w = s.pupils[i] + 1e-6;
      a.w += w; a.x += w * s.x[i]; a.y += w * s.y[i]; a.members.push(i);
    });
    var out = {};
    Object.keys(acc).forEach(function (l) {
      var a = acc[l], cx = a.x / a.w, cy = a.y / a.w, best = a.members[0], bd = Infinity;
      a.members.forEach(function (i) { var d = Math.hypot(s.x[i] - cx, s.y[i] - cy); if (d < bd) { bd = d; best = i; } });
      out[l] = [s.lat[best], s.lng[best]];
    });
    void G;
    return out;
  };

  Editor.prototype.render = function () {
    var self = this, D = this.D, sc = this.scores(), ul = sc.unitLabels;
    this.current = sc;
    var changedUnit = {};
    this.labels.forEach(function (l, i) { if (l !== D.start[i]) { changedUnit[D.schools.unit[i]] = true; } });
    var selectedUnits = {};
    if (this.selected !== null) { this.group(this.selected).units.forEach(function (u) { selectedUnits[u] = true; }); }
    this.unitLayers.forEach(function (layer, u) {
      var style = selectedUnits[u] ? SELECTED_STYLE : sc.detached[u] ? DETACHED_STYLE : changedUnit[u] ? CHANGED_STYLE : UNIT_STYLE;
      layer.setStyle(Object.assign({fillColor: D.partnerships[ul[u]].colour}, style));
      if (selectedUnits[u]) { layer.bringToFront(); }
    });
    this.borderLayers.forEach(function (layer, j) {
      var b = D.borders[j];
      layer.setStyle({opacity: ul[b[0]] !== ul[b[1]] ? 0.95 : 0});
    });
    var selectedSchools = {};
    if (this.selected !== null) { this.group(this.selected).schools.forEach(function (i) { selectedSchools[i] = true; }); }
    this.markers.forEach(function (m, i) {
      m.setStyle(selectedSchools[i] ? {color: '#d00000', weight: 3} : {color: '#333', weight: 1});
      m.bringToFront();
    });
    var M = D.members, here = {};
    if (this.selected !== null) { this.group(this.selected).units.forEach(function (u) { here[u] = true; }); }
    this.memberMarkers.forEach(function (m, j) {
      var node = m.getElement();
      if (node) { node.classList.toggle('pt-ed-sel', !!here[M.unit[j]]); }
    });
    var points = this.labelPoints(), broken = {};
    sc.table.forEach(function (row) { broken[row.index] = row.broken.length > 0; });
    this.tags.forEach(function (t, p) {
      var at = points[p];
      if (at) {
        t.marker.setLatLng(at);
        if (!t.shown) { t.marker.addTo(self.map); t.shown = true; }
        t.name.textContent = self.names[p];
        t.tag.setAttribute('data-rank', String(1000000 + Math.round(sc.table.filter(function (r) { return r.index === p; })[0].pupils)));
        t.num.classList.toggle('pt-ed-broken', !!broken[p]);
        t.num.title = broken[p] ? 'breaks a rule' : '';
      } else if (t.shown) { self.map.removeLayer(t.marker); t.shown = false; }
    });
    if (window.ptDeclutter) { window.ptDeclutter(this.map); }
    this.renderSummary(sc);
    this.renderTable(sc);
    this.renderNeed(sc);
    this.renderLog();
    this.renderSelected();
    this.panel.querySelector('[data-act="undo"]').disabled = this.pos === 0;
    this.panel.querySelector('[data-act="redo"]').disabled = this.pos >= this.history.length;
  };

  Editor.prototype.renderSummary = function (sc) {
    var box = this.role('summary'), t = el('table', null, 'pt-ed-summary');
    box.textContent = '';
    var words = this.D.measure_words || WORDS;
    var rules = sc.limits.map(function (l) {
      return words[l.attribute] + ' ' + fmtInt(l.low) + (isFinite(l.high) ? '\u2013' + fmtInt(l.high) : ' or more');
    });
    if (this.D.anchors) { rules.push('a secondary, all-through school or college in each'); }
    rules.push('each one connected area');
    box.appendChild(el('p', 'Rules: ' + rules.join('; ') + '.', 'pt-ed-hint'));
    var rows = [
      ['Partnerships', String(sc.k), sc.k !== this.D.k],
      ['Average distance to centre (wdist)', sc.wdist_km.toFixed(3) + ' km'],
      ['Average distance to hub school', sc.hub_km.toFixed(3) + ' km'],
      ['Largest size difference', (100 * sc.max_abs_deviation).toFixed(1) + ' %', sc.table.some(function (r) { return r.bad.pupils; })],
      ['Average size difference', (100 * sc.mean_abs_deviation).toFixed(1) + ' %'],
      ['Schools per partnership', sc.min_schools + '\u2013' + sc.max_schools, sc.table.some(function (r) { return r.bad.n_schools; })],
      ['One area each', sc.contiguous ? 'yes' : 'no', !sc.contiguous],
      ['Without a secondary', String(sc.anchors_missing), this.D.anchors && sc.anchors_missing > 0],
      ['Cut edges', String(sc.cut_edges)],
      ['Towns and villages divided', String(sc.settlements_divided)],
      ['Districts kept whole', String(sc.districts_whole) + ' of ' + this.D.districts.length],
      ['Districts with several partnerships', String(sc.districts_divided)],
      ['District splits', String(sc.district_splits)],
      ['Schools changed from the plan as opened', String(sc.schools_changed)]
    ];
    rows.forEach(function (r) {
      var tr = el('tr'), v = el('td', r[1], 'n');
      tr.appendChild(el('td', r[0]));
      if (r[2]) { v.style.color = '#b00000'; v.style.fontWeight = '600'; }
      tr.appendChild(v);
      tr.setAttribute('data-key', r[0]);
      t.appendChild(tr);
    });
    box.appendChild(t);
    if (sc.towns_divided.length) {
      box.appendChild(el('p', 'Towns and villages divided although small enough for one partnership: ' +
        limited(sc.towns_divided.map(function (t) { return t.name + ' (' + t.partnerships + ' partnerships)'; })) + '.',
        'pt-ed-hint'));
    }
    var list = this.role('violations');
    list.textContent = '';
    sc.violations.forEach(function (v) { list.appendChild(el('li', v)); });
  };

  var TABLE_HEADS = [
    ['No.', 'Partnership number'],
    ['Partnership', 'Name (type to rename)'],
    ['Schools', 'Schools in the partnership'],
    ['Pupils', 'Pupils (the size measure)'],
    ['vs avg', 'Size compared with the average partnership'],
    ['Anchors', 'Secondary and all-through schools (and colleges when counted as schools)'],
    ['Colleges', 'Colleges standing in the partnership (not counted in pupils)', 'college'],
    ['Special schools', 'Special schools standing in the partnership (not counted in pupils)', 'special'],
    ['Pieces', 'Separate areas (1 = one connected area)'],
    ['Km to centre', 'Average distance from a pupil\u2019s school to the partnership\u2019s centre'],
    ['Districts', 'Districts the partnership reaches into']
  ];

  // the local need table (partition.data.need): [heading, tooltip, measure]
  var NEED_HEADS = [
    ['FSM %', 'Pupils eligible for free school meals, % of the pupils of schools with a published share', 'fsm'],
    ['Children', 'Children aged 0-19 living in the partnership', 'population'],
    ['Low income', 'Children in low-income families living in the partnership', 'low_income']
  ];

  // shares rounded to whole numbers that add up to the rounded total: largest remainders first (need.whole_children)
  function wholeShares(values) {
    var floor = values.map(Math.floor), total = 0, kept = 0;
    values.forEach(function (v, i) { total += v; kept += floor[i]; });
    var order = values.map(function (v, i) { return i; });
    order.sort(function (a, b) { return ((values[b] - floor[b]) - (values[a] - floor[a])) || (a - b); });
    for (var j = 0; j < Math.round(total - kept); j++) { floor[order[j]] += 1; }
    return floor;
  }

  // whether the configuration carries a need measure (partition.data.need): FSM by school, children by unit
  function needShown(D, measure) {
    return measure === 'fsm' ? !!D.schools.fsm : !!D.units[measure];
  }

  Editor.prototype.renderTable = function (sc) {
    var self = this, table = this.role('table');
    table.textContent = '';
    var head = el('tr');
    TABLE_HEADS.forEach(function (h) {
      var th = el('th', h[2] ? null : h[0]);
      if (h[2]) {  // a member kind: its map symbol, the words for screen readers and in the tooltip
        th.appendChild(memberSymbol(self.D.member_style[h[2]], 13));
        th.appendChild(el('span', h[0], 'pt-ed-sr'));
        th.className = 'pt-ed-symbol';
      }
      th.title = h[1];
      head.appendChild(th);
    });
    table.appendChild(head);
    sc.table.forEach(function (row) {
      var tr = el('tr');
      tr.setAttribute('data-id', row.id);
      if (row.broken.length) { tr.className = 'pt-ed-broken'; tr.title = row.broken.join('; '); }
      var badge = el('span', self.D.partnerships[row.index].number, 'pt-ed-badge');
      badge.style.borderColor = self.D.partnerships[row.index].colour;
      badge.style.background = self.D.partnerships[row.index].colour + '8C';
      var c = el('td'); c.appendChild(badge); tr.appendChild(c);
      // a one-line text area: the name wraps in a narrow panel and stays editable (Enter ends the edit)
      var input = document.createElement('textarea');
      input.rows = 1; input.className = 'pt-ed-name'; input.value = row.name; input.spellcheck = false; input.setAttribute('aria-label', 'Name of partnership ' + self.D.partnerships[row.index].number);
      input.addEventListener('change', function () {
        var r = self.rename(row.id, input.value.replace(/\s+/g, ' '));
        if (!r.ok) { input.value = self.names[row.index]; }
        self.say(r.message, r.ok);
      });
      input.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); input.blur(); } });
      c = el('td'); c.appendChild(input); tr.appendChild(c);
      var cells = [
        [String(row.schools), row.bad.n_schools],
        [fmtInt(row.pupils), row.bad.pupils],
        [fmtPct(row.deviation), row.bad.pupils],
        [String(row.anchors), row.bad.anchors],
        [String(row.colleges)],
        [String(row.special_schools)],
        [String(row.pieces), row.bad.pieces],
        [row.wdist_km.toFixed(3)],
        [String(row.n_districts)]
      ];
      cells.forEach(function (cell) { tr.appendChild(el('td', cell[0], 'n' + (cell[1] ? ' pt-ed-bad' : ''))); });
      table.appendChild(tr);
    });
    this.scrollCue();
  };

  // When the table is wider than the panel, its wrapper scrolls sideways: say so and shade the hidden edge.
  // The local need table: number, name, then each need measure the configuration carries (hidden without any).
  Editor.prototype.renderNeed = function (sc) {
    var self = this, D = this.D, table = this.role('need-table'), heads = NEED_HEADS.filter(function (h) { return needShown(D, h[2]); });
    this.role('need-section').hidden = !heads.length;
    table.textContent = '';
    if (!heads.length) { return; }
    var head = el('tr');
    [['No.', 'Partnership number'], ['Partnership', 'Name']].concat(heads).forEach(function (h) {
      var th = el('th', h[0]); th.title = h[1]; head.appendChild(th);
    });
    table.appendChild(head);
    var whole = {};  // whole children adding up to the rounded total, as Python writes them (need.whole_children)
    heads.forEach(function (h) { if (h[2] !== 'fsm') { whole[h[2]] = wholeShares(sc.table.map(function (r) { return r[h[2]] || 0; })); } });
    sc.table.forEach(function (row, i) {
      var tr = el('tr');
      tr.setAttribute('data-id', row.id);
      tr.appendChild(el('td', String(self.D.partnerships[row.index].number), 'n'));
      tr.appendChild(el('td', row.name));
      heads.forEach(function (h) {
        var m = h[2], v = m === 'fsm' ? (row.fsm_pct === null ? '' : row.fsm_pct.toFixed(1)) : fmtInt(whole[m][i]);
        tr.appendChild(el('td', v, 'n' + (row.bad[m] ? ' pt-ed-bad' : '')));
      });
      table.appendChild(tr);
    });
  };

  Editor.prototype.scrollCue = function () {
    var wrap = this.role('table').parentNode, cue = this.role('scroll-cue');
    var more = wrap.scrollWidth > wrap.clientWidth + 1;
    var atEnd = wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1;
    wrap.classList.toggle('pt-ed-more', more && !atEnd);
    if (cue) { cue.hidden = !more; }
  };

  Editor.prototype.renderLog = function () {
    var self = this, log = this.role('log');
    log.textContent = '';
    if (!this.history.length) { log.appendChild(el('li', 'No changes yet: click a school or its area on the map.')); return; }
    this.history.forEach(function (a, j) {
      var li = el('li', a.text);
      if (a.note) { li.appendChild(document.createTextNode(' \u2014 ')); li.appendChild(el('span', a.note, 'pt-ed-notes')); }
      if (j >= self.pos) { li.className = 'pt-ed-undone'; }
      log.appendChild(li);
    });
  };

  // Selecting never zooms in past this (street level hides every partnership's name).
  var SELECT_MAX_ZOOM = 13;

  // Select unit u (school i when known). fit: show the selection's partnership (search); otherwise only
  // zoom out to SELECT_MAX_ZOOM when the map is closer than that (a click on the map).
  // member: index of the member (college, special school, PRU) clicked, whose unit u is.
  Editor.prototype.select = function (u, school, fit, member) {
    this.selected = u;
    this.selectedSchool = school === undefined || school === null ? null : school;
    this.selectedMember = member === undefined || member === null ? null : member;
    if (this.selectedMember === null) { this.syncFind(u, this.selectedSchool); } else { this.role('find').value = ''; }
    this.focus(u, fit);
    this.render();
    var box = this.role('selected');
    if (box.scrollIntoView && window.innerWidth < 800) { box.scrollIntoView({block: 'nearest'}); }
  };

  // The search box shows the school selected (as its list offers it: "name (URN)"), whichever way it was chosen.
  Editor.prototype.syncFind = function (u, school) {
    var s = this.D.schools, find = this.role('find'), here = this.G.unitSchools[u];
    var i = school !== null ? school : (here.length ? here[0] : -1);
    if (find) { find.value = i >= 0 ? s.name[i] + ' (' + s.urn[i] + ')' : ''; }
  };

  Editor.prototype.focus = function (u, fit) {
    var s = this.D.schools, map = this.map, g = this.group(u), labels = this.labels, pts = [];
    if (!map || !g.schools.length) { return; }
    var p = labels[g.schools[0]];
    labels.forEach(function (l, i) { if (l === p) { pts.push([s.lat[i], s.lng[i]]); } });
    g.schools.forEach(function (i) { pts.push([s.lat[i], s.lng[i]]); });
    if (fit) {
      map.fitBounds(L.latLngBounds(pts), {maxZoom: SELECT_MAX_ZOOM, padding: [30, 30], animate: false});
    } else if (map.getZoom() > SELECT_MAX_ZOOM) {
      var i = g.schools[0];
      map.setView([s.lat[i], s.lng[i]], SELECT_MAX_ZOOM, {animate: false});
    }
  };

  Editor.prototype.renderSelected = function () {
    var self = this, box = this.role('selected'), D = this.D, s = D.schools;
    box.textContent = '';
    if (this.selected === null) { box.hidden = true; return; }
    box.hidden = false;
    var u = this.selected, g = this.group(u), sc = this.current;
    var here = this.G.unitSchools[u];
    if (this.selectedMember !== null && this.selectedMember !== undefined) { this.renderMember(box, this.selectedMember, sc); }
    var where = here.length ? here.map(function (i) { return s.name[i]; }).join(', ') : 'An area without schools';
    box.appendChild(el('h3', this.selectedMember !== null ? 'The area it stands in: ' + where : where));
    var ul = el('ul');
    g.schools.forEach(function (i) {
      ul.appendChild(el('li', s.name[i] + ' (URN ' + s.urn[i] + '; ' + s.kind[i] + '; ' + fmtInt(s.pupils[i]) + ' pupils; ' +
        D.districts[s.district[i]] + ') \u2014 in ' + self.label(self.labels[i])));
    });
    box.appendChild(ul);
    if (g.units.length > 1) {
      var why = (this.G.whyOf[u] || []).join('; ') || 'locked together by the plan\u2019s rules';
      box.appendChild(el('p', 'These ' + g.schools.length + ' schools on ' + g.units.length + ' sites move together: ' + why + '.', 'pt-ed-hint'));
    } else if (g.schools.length > 1) {
      box.appendChild(el('p', 'These schools share a site and move together.', 'pt-ed-hint'));
    }
    var options = this.options(u, sc);
    if (!g.schools.length) {
      box.appendChild(el('p', 'An area without schools follows its neighbours.', 'pt-ed-hint'));
    } else if (!options.length) {
      box.appendChild(el('p', 'No neighbouring partnership to move to.', 'pt-ed-hint'));
    } else {
      var note = document.createElement('input');
      note.type = 'text'; note.className = 'pt-ed-note'; note.setAttribute('data-role', 'note');
      note.placeholder = 'Note for this change, e.g. requested by the head of \u2026';
      note.setAttribute('aria-label', 'Note for this change');
      box.appendChild(note);
      box.appendChild(el('div', 'Move to a neighbouring partnership:'));
      var list = el('ul', null, 'pt-ed-options');
      options.forEach(function (p) {
        var look = self.preview(u, p, sc);
        var refused = look.splits && self.keepWhole();
        var b = el('button', null, 'pt-ed-move' + (look.problems.length ? ' pt-ed-bad' : ''));
        b.type = 'button';
        b.setAttribute('data-to', D.partnerships[p].id);
        var badge = el('span', D.partnerships[p].number, 'pt-ed-badge');
        badge.style.background = D.partnerships[p].colour + '8C';
        b.appendChild(badge);
        b.appendChild(document.createTextNode(' ' + self.names[p]));
        b.appendChild(el('span', look.text, 'pt-ed-effect'));
        if (look.problems.length) { b.appendChild(el('span', '\u26a0 ' + look.problems.join('; '), 'pt-ed-effect')); }
        if (refused) { b.disabled = true; b.title = 'Refused: it would split a partnership (see the switch above)'; }
        b.addEventListener('click', function () {
          var first = s.urn[g.schools[0]];
          var r = self.move(first, D.partnerships[p].id, note.value);
          self.say(r.message + (r.ok && r.problems.length ? ' \u2014 \u26a0 ' + r.problems.join('; ') : ''), r.ok && !r.problems.length);
        });
        var li = el('li'); li.appendChild(b); list.appendChild(li);
      });
      box.appendChild(list);
    }
    var close = el('button', 'Close', 'pt-ed-move');
    close.type = 'button'; close.style.width = 'auto'; close.style.marginTop = '4px';
    close.addEventListener('click', function () { self.selected = null; self.selectedMember = null; self.role('find').value = ''; self.render(); });
    box.appendChild(close);
  };

  // A member's details: it is not moved on its own but with the area it stands in.
  Editor.prototype.renderMember = function (box, j, sc) {
    var M = this.D.members, p = sc.memberLabels[j], lines = el('ul');
    box.appendChild(el('h3', M.name[j]));
    lines.appendChild(el('li', M.words[j] + ' (not counted in pupils)' + (M.type[j] ? '; ' + M.type[j] : '') + '; URN ' + M.urn[j]));
    if (M.numbers[j]) { lines.appendChild(el('li', M.numbers[j][0] + ': ' + M.numbers[j][1])); }
    lines.appendChild(el('li', 'In ' + this.label(p)));
    if (M.also[j]) { lines.appendChild(el('li', 'Also the nearest ' + M.words[j].toLowerCase() + ' for (as planned): ' + M.also[j])); }
    box.appendChild(lines);
    box.appendChild(el('p', 'It cannot be moved on its own: it moves with the area it stands in, below.', 'pt-ed-hint pt-ed-member'));
  };

  Editor.prototype.find = function (text) {
    var q = String(text).trim().toLowerCase(), s = this.D.schools, hit = -1, i;
    if (!q) { return -1; }
    var m = /\((\d+)\)$/.exec(q);
    if (m) { q = m[1]; }
    if (/^\d+$/.test(q)) { return s.urn.indexOf(Number(q)); }
    for (i = 0; i < s.name.length && hit < 0; i++) { if (s.name[i].toLowerCase() === q) { hit = i; } }
    for (i = 0; i < s.name.length && hit < 0; i++) { if (s.name[i].toLowerCase().indexOf(q) >= 0) { hit = i; } }
    return hit;
  };

  Editor.prototype.wire = function () {
    var self = this, s = this.D.schools;
    this.panel.querySelector('[data-act="undo"]').addEventListener('click', function () { self.undo(); self.say(''); });
    this.panel.querySelector('[data-act="redo"]').addEventListener('click', function () { self.redo(); self.say(''); });
    this.panel.querySelector('[data-act="reset"]').addEventListener('click', function () { self.reset(); self.say('Back to the plan as it was opened (Undo to return to your changes)', true); });
    this.panel.querySelector('[data-act="export"]').addEventListener('click', function () { self.download(); var file = self.D.configuration + '-edited.csv'; self.say('Exported: ' + file + ' (URN, partnership, note, moved, counted: colleges and special schools are rows counted = no, following their area). Save it outside the output folder; score it with partition compare, or re-plan around your moves with partition plan --k ' + self.D.k + ' --start-from ' + file + ' --lock-from ' + file + ' --out replan (a new output folder)', true); });
    this.role('keep-whole').addEventListener('change', function () { self.render(); });
    this.role('table-scroll').addEventListener('scroll', function () { self.scrollCue(); });
    window.addEventListener('resize', function () { self.scrollCue(); });
    var list = document.getElementById('pt-ed-schools');
    s.name.forEach(function (name, i) { var o = document.createElement('option'); o.value = name + ' (' + s.urn[i] + ')'; list.appendChild(o); });
    var find = this.role('find');
    function go() {
      var i = self.find(find.value);
      if (i < 0) { if (find.value.trim()) { self.say('No school matches \u201c' + find.value.trim() + '\u201d (try part of its name or its URN)'); } return; }
      self.say('');
      self.select(s.unit[i], i, true);
    }
    find.addEventListener('change', go);
    find.addEventListener('keydown', function (e) { if (e.key === 'Enter') { go(); } });
  };

  window.addEventListener('load', function () {
    var block = document.getElementById('pt-edit-data');
    if (!block) { return; }
    var D = JSON.parse(block.textContent);
    var editor = new Editor(D);
    if (!editor.map) { return; }
    editor.draw();
    editor.wire();
    editor.render();
    window.ptEditor = {
      ready: true,
      scores: function () { var r = editor.scores(); delete r.unitLabels; delete r.detached; delete r.memberLabels; return r; },
      members: function () { return editor.memberRows(); },
      selectMember: function (urn) { var j = D.members.urn.indexOf(Number(urn)); editor.select(D.members.unit[j], null, false, j); },
      move: function (urn, id, note) { return editor.move(urn, id, note); },
      rename: function (id, name) { return editor.rename(id, name); },
      undo: function () { return editor.undo(); },
      redo: function () { return editor.redo(); },
      reset: function () { editor.reset(); },
      select: function (urn, fit) { var i = editor.schoolIndex(urn); editor.select(D.schools.unit[i], i, !!fit); },
      zoom: function () { return editor.map.getZoom(); },
      options: function (urn) {
        var i = editor.schoolIndex(urn);
        return editor.options(D.schools.unit[i], editor.scores()).map(function (p) { return D.partnerships[p].id; });
      },
      assignment: function () { return editor.assignment(); },
      csv: function () { return editor.csv(); },
      spreadsheetText: spreadsheetText,
      state: function () { return {labels: editor.labels.slice(), names: editor.names.slice()}; }
    };
  });
})();
