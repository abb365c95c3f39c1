// flopcast dashboard charts: the fan chart and the meeting-date histogram, drawn as inline SVG.
// Pure drawing: data in (an /api/forecast payload and the model rows), SVG elements out.
"use strict";

function scale(d0, d1, r0, r1) {
  const f = v => r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  f.domain = [d0, d1];
  return f;
}

function axes(svg, x, y, xTicks, yTicks, xLabel, yLabel, box) {
  const g = el("svg:g", {class: "axes"});
  g.append(el("svg:line", {x1: box.l, x2: box.r, y1: box.b, y2: box.b, class: "axis"}));
  g.append(el("svg:line", {x1: box.l, x2: box.l, y1: box.t, y2: box.b, class: "axis"}));
  for (const [v, label] of xTicks) {
    g.append(el("svg:line", {x1: x(v), x2: x(v), y1: box.t, y2: box.b, class: "grid"}));
    g.append(el("svg:text", {x: x(v), y: box.b + 14, class: "tick", "text-anchor": "middle", text: label}));
  }
  for (const [v, label] of yTicks) {
    g.append(el("svg:line", {x1: box.l, x2: box.r, y1: y(v), y2: y(v), class: "grid"}));
    g.append(el("svg:text", {x: box.l - 5, y: y(v) + 3, class: "tick", "text-anchor": "end", text: label}));
  }
  g.append(el("svg:text", {x: (box.l + box.r) / 2, y: box.b + 30, class: "label", "text-anchor": "middle", text: xLabel}));
  if (yLabel) g.append(el("svg:text", {x: 12, y: (box.t + box.b) / 2, class: "label", "text-anchor": "middle",
                                       transform: `rotate(-90 12 ${(box.t + box.b) / 2})`, text: yLabel}));
  svg.append(g);
}

function area(x, y, t, lo, hi) {
  let d = "";
  t.forEach((v, i) => { d += (i ? "L" : "M") + x(v).toFixed(1) + "," + y(hi[i]).toFixed(1); });
  for (let i = t.length - 1; i >= 0; i--) d += "L" + x(t[i]).toFixed(1) + "," + y(lo[i]).toFixed(1);
  return d + "Z";
}

function line(x, y, t, v) {
  return t.map((tv, i) => (i ? "L" : "M") + x(tv).toFixed(1) + "," + y(v[i]).toFixed(1)).join("");
}

const FAN_DECADES = 3;  // flopcast.report.catalog.FAN_DECADES_BELOW_FRONTIER

// Reasoning models with an RL-stage figure within FAN_DECADES of the largest total compute
// released on or before them (release order).
function nearFrontier(models) {
  let frontier = -Infinity;
  const out = [];
  for (const m of [...models].filter(m => m.release_date).sort((a, b) => (a.release_date < b.release_date ? -1 : 1))) {
    if (m.total) frontier = Math.max(frontier, Math.log10(m.total.median));
    if (m.rl && Math.log10(m.rl.median) >= frontier - FAN_DECADES) out.push(m);
  }
  return out;
}

function drawFan(svg, data, models) {
  svg.replaceChildren();
  const b = data.bands;
  const t = b.t;
  const box = {l: 58, r: 705, t: 12, b: 360};
  // Framed around the question, as the report's fan chart (flopcast.report.fan): records near
  // the frontier of their day (within FAN_DECADES of the largest total released by then), from
  // a little before the start to two years past the later of the meeting's p95 and the data date.
  const rlPoints = nearFrontier(models).filter(m => dateToYear(m.release_date) >= t[0] - 0.75)
    .map(m => ({x: dateToYear(m.release_date), y: Math.log10(m.rl.median), lo: Math.log10(m.rl.lo ?? m.rl.p5),
                hi: Math.log10(m.rl.hi ?? m.rl.p95), name: m.name}));
  const md0 = data.meeting_date, asOf0 = data.status?.data_date;
  const ends = [md0.p95, md0.median, asOf0].filter(Boolean).map(dateToYear);
  const x0 = Math.min(t[0], ...rlPoints.map(p => p.x)) - 0.25;
  const x1 = Math.min(Math.max(...t), Math.max(t[0], ...ends) + 2);
  const inside = t.map((v, i) => [v, i]).filter(([v]) => v <= x1).map(([, i]) => i);
  const tops = inside.map(i => Math.max(b.frontier["95"][i], b.reasoning["95"][i]));
  const lows = rlPoints.map(p => p.lo).filter(isFinite);
  const y0 = Math.floor((lows.length ? Math.min(...lows) : b.reasoning["5"][0]) - 0.3);
  const y1 = Math.ceil(Math.max(...tops, ...rlPoints.map(p => p.hi).filter(isFinite)) + 0.3);
  const x = scale(x0, x1, box.l, box.r), y = scale(y0, y1, box.b, box.t);
  const xt = [];
  const step = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let v = Math.ceil(x0); v <= x1; v += step) xt.push([v, String(v)]);
  svg.append(el("svg:clipPath", {id: "fan-clip"}, el("svg:rect", {x: box.l, y: box.t, width: box.r - box.l, height: box.b - box.t})));
  const yt = [];
  const ystep = Math.max(1, Math.ceil((y1 - y0) / 10));
  for (let v = y0; v <= y1; v += ystep) yt.push([v, `1e${v}`]);
  axes(svg, x, y, xt, yt, "Date (calendar year)", "Training compute (FLOP, log scale)", box);
  const series = [["frontier", "frontier"], ["reasoning", "reasoning"]];
  for (const [key, cls] of series) {
    const p = b[key];
    const clip = {"clip-path": "url(#fan-clip)"};
    svg.append(el("svg:path", {d: area(x, y, t, p["5"], p["95"]), class: `band90 ${cls}`, ...clip}));
    svg.append(el("svg:path", {d: area(x, y, t, p["25"], p["75"]), class: `band50 ${cls}`, ...clip}));
    svg.append(el("svg:path", {d: line(x, y, t, p["50"]), class: `median ${cls}`, id: `fan-${key}-median`, ...clip}));
  }
  // Records released after the forecast's start are hollow: observations it did not see.
  const start = t[0];
  for (const p of rlPoints) {
    const after = p.x > start;
    const g = el("svg:g", {class: after ? "model-point after-start" : "model-point"},
      el("svg:title", {text: `${p.name}: RL-stage ${sci(10 ** p.y)} FLOP${after ? " (after the forecast's start)" : ""}`}));
    g.append(el("svg:line", {x1: x(p.x), x2: x(p.x), y1: y(p.lo), y2: y(p.hi)}));
    g.append(el("svg:circle", {cx: x(p.x), cy: y(p.y), r: 3.5}));
    svg.append(g);
  }
  const md = data.meeting_date;
  if (md.p5) {  // the 90% interval; a p95 of "never" runs to the chart's end
    const a = Math.max(x0, dateToYear(md.p5)), z = md.p95 ? Math.min(x1, dateToYear(md.p95)) : x1;
    if (z > a) svg.append(el("svg:rect", {x: x(a), y: box.t, width: x(z) - x(a), height: box.b - box.t, class: "meeting-band"}));
  }
  if (md.median) {
    const m = dateToYear(md.median);
    if (m >= x0 && m <= x1) {
      svg.append(el("svg:line", {x1: x(m), x2: x(m), y1: box.t, y2: box.b, class: "meeting", id: "fan-meeting"}));
      svg.append(el("svg:text", {x: x(m) + 4, y: box.t + 12, class: "meeting-label", text: `meets ${md.median}`}));
    }
  }
  const asOf = data.status?.data_date;
  if (asOf) {  // the data date: what the records can already check lies left of it
    const a = dateToYear(asOf);
    if (a >= x0 && a <= x1) {
      svg.append(el("svg:line", {x1: x(a), x2: x(a), y1: box.t, y2: box.b, class: "as-of", id: "fan-as-of"}));
      svg.append(el("svg:text", {x: x(a) + 4, y: box.t + 26, class: "as-of-label", text: `as of ${asOf}`}));
    }
  }
  const legend = el("svg:g", {class: "legend", transform: `translate(${box.r - 230},${box.b - 40})`});
  [["frontier", "Frontier total training compute"], ["reasoning", "Reasoning (RL-stage) compute"]].forEach(([cls, label], i) => {
    legend.append(el("svg:rect", {x: 0, y: i * 16, width: 14, height: 8, class: `band90 ${cls}`}));
    legend.append(el("svg:line", {x1: 0, x2: 14, y1: i * 16 + 4, y2: i * 16 + 4, class: `median ${cls}`}));
    legend.append(el("svg:text", {x: 20, y: i * 16 + 8, text: label}));
  });
  svg.append(legend);
}

function drawHistogram(svg, data) {
  svg.replaceChildren();
  const h = data.histogram;
  const box = {l: 58, r: 705, t: 10, b: 180};
  if (!h.counts.length) {
    svg.append(el("svg:text", {x: 360, y: 100, "text-anchor": "middle", text: "No draw meets the cap."}));
    return;
  }
  const edges = h.edges, n = h.n;
  const shares = h.counts.map(c => c / n);
  const x = scale(edges[0], edges[edges.length - 1], box.l, box.r);
  const ymax = Math.max(...shares) * 1.1;
  const y = scale(0, ymax, box.b, box.t);
  const xt = [];
  const span = edges[edges.length - 1] - edges[0];
  const step = span > 8 ? 2 : span > 3 ? 1 : span > 1 ? 0.5 : 0.25;
  for (let v = Math.ceil(edges[0] / step) * step; v <= edges[edges.length - 1]; v += step) xt.push([v, step >= 1 ? String(v) : yearToDate(v)]);
  const yt = [0, ymax / 2, ymax].map(v => [v, pct(v)]);
  axes(svg, x, y, xt, yt, "Meeting date (calendar year)", "Share of draws", box);
  shares.forEach((s, i) => {
    svg.append(el("svg:rect", {x: x(edges[i]) + 0.5, y: y(s), width: Math.max(0.5, x(edges[i + 1]) - x(edges[i]) - 1),
                               height: box.b - y(s), class: "bar"},
                   el("svg:title", {text: `${yearToDate(edges[i])} to ${yearToDate(edges[i + 1])}: ${pct(s)}`})));
  });
  const md = data.meeting_date;
  if (md.median) {
    const m = dateToYear(md.median);
    svg.append(el("svg:line", {x1: x(m), x2: x(m), y1: box.t, y2: box.b, class: "meeting"}));
  }
  const notes = [h.below && `${pct(h.below / n)} earlier`, h.above && `${pct(h.above / n)} later`,
                 h.never && `${pct(h.never / n)} never meet`].filter(Boolean);
  if (notes.length) svg.append(el("svg:text", {x: box.r, y: box.t + 10, "text-anchor": "end", class: "tick",
                                               text: `outside the bins: ${notes.join(", ")}`}));
}

