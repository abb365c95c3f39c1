// flopcast dashboard: plain JavaScript over the /api endpoints, charts drawn as inline SVG.
// Nothing here estimates: every number comes from the API (the library); this file draws it.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const state = {
  scenario: null,        // scenario detail from /api/scenarios/{name}
  defaults: {},          // parameter key -> scenario value (for reset and sliders)
  overrides: {},         // parameter key -> expression the user set
  models: [],            // rows of /api/models
  sort: {key: "release_date", dir: 1},
  last: null,            // last forecast payload
  controller: null,      // AbortController of the forecast in flight
  timer: null,
};

// ---------------------------------------------------------------- small helpers

function $(sel) { return document.querySelector(sel); }

function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG_NS, tag.slice(4))
                                      : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function sci(x, digits = 2) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e4) return String(Number(x.toPrecision(digits + 1)));
  return x.toExponential(digits - 1).replace("e+", "e");
}

function pct(x) {
  if (x === null || x === undefined || !isFinite(x)) return "–";
  const v = 100 * x;
  if (v === 0) return "0%";
  return (v >= 1 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(1) : v.toPrecision(2)) + "%";
}

function ciText(s, f = sci) {
  if (!s) return "–";
  return `${f(s.median)} (${f(s.p5)}–${f(s.p95)})`;
}

function yearToDate(y) {
  const year = Math.floor(y);
  const month = Math.min(12, Math.floor((y - year) * 12) + 1);
  return `${year}-${String(month).padStart(2, "0")}`;
}

function dateToYear(iso) {
  const d = new Date(iso + "T00:00:00Z");
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const end = Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  return d.getUTCFullYear() + (d - start) / (end - start);
}

async function api(path, body, signal) {
  const opts = body === undefined ? {signal} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), signal};
  const r = await fetch(path, opts);
  if (!r.ok) {
    let msg = `${r.status} ${r.statusText}`;
    try {
      const j = await r.json();
      if (Array.isArray(j.detail)) msg = j.detail.map(d => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
      else if (j.detail) msg = j.detail;
    } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return r;
}

function setStatus(text, kind = "") {
  const s = $("#status");
  s.textContent = text;
  s.className = kind;
}

// ---------------------------------------------------------------- assumptions form

const NUM = "([0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)";
const RE_POINT = new RegExp(`^\\s*${NUM}\\s*$`);
const RE_RANGE = new RegExp(`^\\s*${NUM}\\s+to\\s+${NUM}\\s*$`);

// A slider scales a quantity's default expression by a factor k (log scale). Plain numbers and
// "lo to hi" are rewritten as numbers; anything else becomes "(expr) * k". k is clipped so a
// plain default stays inside the parameter's declared bounds.
function sliderSpec(p) {
  const text = state.defaults[p.key];
  let lo = 0.1, hi = 10, form = "expr", a = null, b = null;
  let m;
  if ((m = RE_RANGE.exec(text))) { form = "range"; a = +m[1]; b = +m[2]; }
  else if ((m = RE_POINT.exec(text))) { form = "point"; a = b = +m[1]; }
  if (form !== "expr") {
    if (a === 0) return null;  // nothing to scale
    if (p.high !== null && p.high !== undefined) hi = Math.min(hi, p.high / b);
    if (p.low !== null && p.low !== undefined && p.low > 0) lo = Math.max(lo, p.low / a);
  }
  if (!(hi > lo)) return null;
  return {form, a, b, lo: Math.log10(lo), hi: Math.log10(hi)};
}

function scaled(p, spec, k) {
  const text = state.defaults[p.key];
  if (Math.abs(k - 1) < 1e-9) return text;
  const f = x => String(Number((x * k).toPrecision(3)));
  if (spec.form === "range") return `${f(spec.a)} to ${f(spec.b)}`;
  if (spec.form === "point") return f(spec.a);
  return `(${text}) * ${Number(k.toPrecision(3))}`;
}

function buildParameters(sc) {
  const box = $("#parameters");
  box.replaceChildren();
  state.defaults = {};
  for (const p of sc.parameters) state.defaults[p.key] = p.value;
  for (const p of sc.parameters) {
    if (p.in_use === false) continue;
    const id = "param-" + p.key.replace(/\./g, "-");
    const current = state.overrides[p.key] ?? p.value;
    const title = [p.description, p.unit && `unit: ${p.unit}`, p.source && `source: ${p.source}`, p.note]
      .filter(Boolean).join("\n");
    const row = el("div", {class: "param", "data-key": p.key, title});
    row.append(el("label", {for: id, text: p.key}), el("span", {class: "unit", text: p.unit || ""}));
    let input;
    if (p.kind === "choice") {
      input = el("select", {id, name: p.key}, ...p.choices.map(c => el("option", {value: c, text: c, selected: c === current})));
    } else {
      input = el("input", {id, name: p.key, type: "text", value: current, spellcheck: "false"});
    }
    input.addEventListener("change", () => setOverride(p.key, input.value));
    row.append(input);
    if (p.kind === "quantity") {
      const spec = sliderSpec(p);
      if (spec) {
        const slider = el("input", {type: "range", id: id + "-slider", class: "slider", min: spec.lo, max: spec.hi,
                                    step: (spec.hi - spec.lo) / 100, value: 0, "aria-label": `${p.key} scale`});
        const factor = el("span", {class: "factor", text: "×1"});
        slider.addEventListener("input", () => {
          const k = 10 ** +slider.value;
          factor.textContent = "×" + Number(k.toPrecision(2));
          input.value = scaled(p, spec, k);
          setOverride(p.key, input.value);
        });
        row.append(slider, factor);
      }
    }
    row.append(el("a", {class: "src", href: p.source && p.source.startsWith("http") ? p.source : null,
                        target: "_blank", rel: "noopener noreferrer", text: p.source ? "source" : ""}));
    box.append(row);
  }
}

function setOverride(key, value) {
  if (value === state.defaults[key]) delete state.overrides[key];
  else state.overrides[key] = value;
  schedule();
}

function request() {
  return {
    scenario: $("#scenario").value,
    overrides: {...state.overrides},
    n: +$("#samples").value,
    seed: +$("#seed").value,
    horizon_years: +$("#horizon").value,
  };
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(runForecast, 200);
}

async function loadScenario(name) {
  const r = await api(`/api/scenarios/${encodeURIComponent(name)}`);
  state.scenario = await r.json();
  state.overrides = {};
  buildParameters(state.scenario);
}

// ---------------------------------------------------------------- forecast

async function runForecast() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  setStatus("Running…", "busy");
  try {
    const r = await api("/api/forecast", request(), controller.signal);
    const data = await r.json();
    if (controller.signal.aborted) return;
    state.last = data;
    render(data);
    setStatus(`n = ${data.n.toLocaleString()} draws, seed ${data.seed}`, "ok");
  } catch (e) {
    if (e.name === "AbortError") return;
    setStatus(e.message, "error");
  }
}

function render(data) {
  const md = data.meeting_date;
  $("#meeting-median").textContent = md.median || "never (median draw)";
  $("#meeting-interval").textContent = `90%: ${md.p5 || "–"} to ${md.p95 || "–"}`;
  const h = data.headroom_oom;
  $("#headroom").textContent = h ? `${Number(h.median).toFixed(2)} OOM` : "–";
  $("#headroom-interval").textContent = h ? `90%: ${Number(h.p5).toFixed(2)} to ${Number(h.p95).toFixed(2)} OOM` : "";
  drawFan($("#fan-chart"), data);
  drawHistogram($("#histogram"), data);
}

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

function drawFan(svg, data) {
  svg.replaceChildren();
  const b = data.bands;
  const t = b.t;
  const box = {l: 58, r: 705, t: 12, b: 360};
  const rlPoints = state.models.filter(m => m.rl && m.release_date)
    .map(m => ({x: dateToYear(m.release_date), y: Math.log10(m.rl.median), lo: Math.log10(m.rl.p5),
                hi: Math.log10(m.rl.p95), name: m.name}));
  const xs = t.concat(rlPoints.map(p => p.x));
  const x0 = Math.floor(Math.min(...xs)), x1 = Math.max(...t);
  const all = [...b.reasoning["5"], ...b.frontier["95"], ...rlPoints.map(p => p.lo)].filter(isFinite);
  const y0 = Math.floor(Math.min(...all)), y1 = Math.ceil(Math.max(...b.frontier["95"]));
  const x = scale(x0, x1, box.l, box.r), y = scale(y0, y1, box.b, box.t);
  const xt = [];
  const step = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let v = Math.ceil(x0); v <= x1; v += step) xt.push([v, String(v)]);
  const yt = [];
  const ystep = Math.max(1, Math.ceil((y1 - y0) / 10));
  for (let v = y0; v <= y1; v += ystep) yt.push([v, `1e${v}`]);
  axes(svg, x, y, xt, yt, "Date (calendar year)", "Training compute (FLOP, log scale)", box);
  const series = [["frontier", "frontier"], ["reasoning", "reasoning"]];
  for (const [key, cls] of series) {
    const p = b[key];
    svg.append(el("svg:path", {d: area(x, y, t, p["5"], p["95"]), class: `band90 ${cls}`}));
    svg.append(el("svg:path", {d: area(x, y, t, p["25"], p["75"]), class: `band50 ${cls}`}));
    svg.append(el("svg:path", {d: line(x, y, t, p["50"]), class: `median ${cls}`, id: `fan-${key}-median`}));
  }
  for (const p of rlPoints) {
    const g = el("svg:g", {class: "model-point"}, el("svg:title", {text: `${p.name}: RL-stage ${sci(10 ** p.y)} FLOP`}));
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

async function runSensitivity() {
  const body = request();
  delete body.horizon_years;
  body.n = Math.min(body.n, 20000);
  const tbody = $("#sensitivity tbody");
  tbody.replaceChildren(el("tr", {}, el("td", {colspan: 6, text: "Running…"})));
  try {
    const r = await api("/api/sensitivity", body);
    const data = await r.json();
    tbody.replaceChildren(...data.rows.map(row => el("tr", {},
      el("td", {text: row.parameter}), el("td", {text: String(row.low)}), el("td", {text: String(row.high)}),
      el("td", {text: typeof row.median_low === "number" ? yearToDate(row.median_low) : String(row.median_low)}),
      el("td", {text: typeof row.median_high === "number" ? yearToDate(row.median_high) : String(row.median_high)}),
      el("td", {class: "num", text: Number(row.swing_years).toFixed(2)}))));
  } catch (e) {
    tbody.replaceChildren(el("tr", {}, el("td", {colspan: 6, class: "error", text: e.message})));
  }
}

// ---------------------------------------------------------------- downloads

async function download(path, body) {
  try {
    const r = await api(path, body);
    const blob = await r.blob();
    const cd = r.headers.get("Content-Disposition") || "";
    const m = /filename="([^"]+)"/.exec(cd);
    const a = el("a", {href: URL.createObjectURL(blob), download: m ? m[1] : "download"});
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  } catch (e) {
    setStatus(e.message, "error");
  }
}

// ---------------------------------------------------------------- models

function sortValue(m, key) {
  const v = m[key];
  if (v && typeof v === "object") return v.median;
  return v ?? null;
}

function drawModels() {
  const q = $("#model-filter").value.trim().toLowerCase();
  const {key, dir} = state.sort;
  const rows = state.models
    .filter(m => !q || [m.id, m.name, m.developer].some(s => String(s || "").toLowerCase().includes(q)))
    .sort((a, b) => {
      const va = sortValue(a, key), vb = sortValue(b, key);
      if (va === vb) return 0;
      if (va === null) return 1;
      if (vb === null) return -1;
      return (va < vb ? -1 : 1) * dir;
    });
  for (const th of document.querySelectorAll("#model-table th")) {
    th.classList.toggle("sorted", th.dataset.key === key);
    th.dataset.dir = th.dataset.key === key ? (dir > 0 ? "asc" : "desc") : "";
  }
  $("#model-table tbody").replaceChildren(...rows.map(m => el("tr", {"data-id": m.id, tabindex: 0,
      onclick: () => showDerivation(m.id), onkeydown: e => { if (e.key === "Enter") showDerivation(m.id); }},
    el("td", {}, el("a", {href: `#model-${m.id}`, class: "model-link", text: m.name,
                          onclick: e => { e.preventDefault(); showDerivation(m.id); }})),
    el("td", {text: m.developer || ""}), el("td", {text: m.release_date || ""}),
    el("td", {text: m.reasoning ? "yes" : "no"}),
    el("td", {class: "num", text: ciText(m.pretraining)}), el("td", {class: "num", text: ciText(m.rl)}),
    el("td", {class: "num", text: ciText(m.rl_share, pct)}), el("td", {text: m.confidence || ""}))));
}

async function showDerivation(id) {
  const box = $("#derivation");
  box.hidden = false;
  box.replaceChildren(el("p", {text: "Loading…"}));
  try {
    const r = await api(`/api/models/${encodeURIComponent(id)}`);
    const d = await r.json();
    box.replaceChildren(renderDerivation(d));
    box.scrollIntoView({block: "nearest"});
  } catch (e) {
    box.replaceChildren(el("p", {class: "error", text: e.message}));
  }
}

function sourceItem(src) {
  const label = [src.title || src.url, src.published && `published ${src.published}`,
                 src.accessed && `accessed ${src.accessed}`].filter(Boolean).join(", ");
  const li = el("li", {}, src.url && src.url.startsWith("http")
    ? el("a", {href: src.url, target: "_blank", rel: "noopener noreferrer", text: label}) : el("span", {text: label}));
  if (src.states) li.append(el("div", {class: "states", text: `states: “${src.states}”`}));
  return li;
}

function summaryText(s, unit = "") {
  if (!s) return "unknown";
  return `${sci(s.median)}${unit} (90% CI ${sci(s.lo ?? s.p5)}–${sci(s.hi ?? s.p95)})`;
}

function renderDerivation(d) {
  const frag = el("div", {class: "derivation", "data-id": d.id});
  frag.append(el("h3", {text: `${d.name}: how its numbers were derived`}));
  const facts = [["Developer", d.developer], ["Released", d.release_date], ["Reasoning model", d.reasoning ? "yes" : "no"],
                 ["Base model", d.base_model], ["Record file", d.path], ["Data version", d.data_version]].filter(f => f[1]);
  frag.append(el("dl", {}, ...facts.flatMap(([k, v]) => [el("dt", {text: k}), el("dd", {text: String(v)})])));
  for (const [field, q] of Object.entries(d.fields || {})) {
    const unit = field.startsWith("parameters") ? "" : " FLOP";
    const sec = el("div", {class: "quantity", "data-field": field});
    sec.append(el("h4", {text: `${field}: ${q.value ? summaryText(q.value, unit) : q.status}`}));
    if (q.formula) sec.append(el("p", {class: "relation", text: `= ${q.formula}`}));
    if (q.combine) sec.append(el("p", {class: "relation", text: `lines pooled by: ${q.combine}`}));
    const c = q.value && q.value.contributions;
    if (c && Object.keys(c).length) {
      const parts = Object.entries(c).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${pct(v)}`).join(", ");
      sec.append(el("p", {class: "contrib", text: `Spread comes from: ${parts}`}));
    }
    const ol = el("ol", {class: "lines"});
    for (const line of q.lines || []) {
      const li = el("li", {class: "line"});
      if (line.label) li.append(el("strong", {text: line.label + ": "}));
      li.append(el("code", {text: line.expression}));
      if (line.value) li.append(el("span", {class: "value", text: ` = ${summaryText(line.value, unit)}`}));
      const meta = [line.method && `method: ${line.method}`, `confidence: ${line.confidence}`,
                    line.date && `dated ${line.date}`].filter(Boolean).join(" · ");
      li.append(el("div", {class: "meta", text: meta}));
      for (const a of line.assumptions || []) li.append(el("div", {class: "notes", text: `assumes: ${a}`}));
      if (line.reasoning) li.append(el("div", {class: "notes", text: `reasoning: ${line.reasoning}`}));
      if (line.notes) li.append(el("div", {class: "notes", text: line.notes}));
      if ((line.sources || []).length) li.append(el("ul", {class: "sources"}, ...line.sources.map(sourceItem)));
      ol.append(li);
    }
    sec.append(ol);
    if (q.notes) sec.append(el("p", {class: "notes", text: q.notes}));
    if ((q.sources || []).length) sec.append(el("ul", {class: "sources"}, ...q.sources.map(sourceItem)));
    frag.append(sec);
  }
  if (d.notes) frag.append(el("p", {class: "notes", text: d.notes}));
  return frag;
}

async function loadModels() {
  const r = await api("/api/models");
  const data = await r.json();
  state.models = data.models;
  $("#data-version").textContent = data.data_version;
  drawModels();
}

// ---------------------------------------------------------------- RL calculator

const STAGE_FIELDS = ["architecture", "algorithm", "steps", "prompts_per_step", "samples_per_prompt",
                      "prompt_length", "response_length", "epochs", "reward"];

async function loadRl() {
  const r = await api("/api/rl/options");
  const opt = await r.json();
  const box = $("#rl-fields");
  box.replaceChildren();
  for (const f of opt.fields) {
    const id = "rl-" + f.name;
    let input;
    if (f.choices) input = el("select", {id, name: f.name}, ...f.choices.map(c => el("option", {value: c, text: c || "(custom: the fields below)", selected: c === f.default})));
    else input = el("input", {id, name: f.name, type: f.type === "number" ? "number" : "text", value: f.default ?? "",
                              step: f.type === "number" ? "any" : null, spellcheck: "false"});
    box.append(el("label", {class: "row", title: f.help || ""}, el("span", {class: "name", text: f.label}), input,
                  el("span", {class: "unit", text: f.unit || ""})));
  }
  const preset = $("#rl-recipe");
  const sync = () => {
    for (const name of STAGE_FIELDS) { const i = $("#rl-" + name); if (i) i.disabled = Boolean(preset.value); }
  };
  preset.addEventListener("change", sync);
  sync();
}

function summ(s, f = sci) {
  if (!s) return "–";
  return s.lo === s.hi ? f(s.median) : `${f(s.median)} (${f(s.lo)}–${f(s.hi)})`;
}

async function runRl(ev) {
  ev.preventDefault();
  const body = {};
  for (const input of $("#rl-fields").querySelectorAll("input, select")) {
    if (input.value === "" || input.disabled) continue;
    body[input.name] = input.type === "number" ? +input.value : input.value;
  }
  const out = $("#rl-result");
  out.replaceChildren(el("p", {text: "Computing…"}));
  try {
    const r = await api("/api/rl", body);
    const d = await r.json();
    const rows = d.phases.map(p => el("tr", {"data-phase": p.phase}, el("td", {text: p.phase}),
      el("td", {class: "num", text: summ({median: p.flop, lo: p.lo, hi: p.hi})}), el("td", {class: "num", text: pct(p.share)})));
    out.replaceChildren(
      el("p", {class: "hint", text: `${d.recipe}: ${d.algorithm} on ${d.architecture}`}),
      el("table", {class: "rl-phases"}, el("thead", {}, el("tr", {}, el("th", {text: "Phase"}),
         el("th", {class: "num", text: "FLOP, whole run (90% CI)"}), el("th", {class: "num", text: "Share"}))),
         el("tbody", {}, ...rows)),
      el("p", {class: "rl-total", id: "rl-total", text: `Total: ${summ(d.total)} FLOP`}),
      el("p", {id: "rl-hours", text: `${d.chip} ${d.precision} at ${summ(d.utilization, pct)} of peak: ${summ(d.chip_hours)} chip-hours`}),
      el("p", {id: "rl-cost", text: d.cost_usd ? `Cost at $${d.usd_per_hour}/chip-hour: $${summ(d.cost_usd)}` : "No price known for this chip: give one."}),
      ...(d.notes || []).map(n => el("p", {class: "hint", text: n})));
  } catch (e) {
    out.replaceChildren(el("p", {class: "error", text: e.message}));
  }
}

// ---------------------------------------------------------------- start

async function start() {
  const list = await (await api("/api/scenarios")).json();
  const sel = $("#scenario");
  sel.replaceChildren(...list.scenarios.map(s => el("option", {value: s, text: s, selected: s === list.default})));
  sel.addEventListener("change", async () => { await loadScenario(sel.value); schedule(); });
  for (const id of ["#samples", "#seed", "#horizon"]) $(id).addEventListener("change", schedule);
  $("#reset").addEventListener("click", async () => { await loadScenario(sel.value); schedule(); });
  $("#dl-yaml").addEventListener("click", () => { const b = request(); download("/api/download/scenario.yaml", {scenario: b.scenario, overrides: b.overrides}); });
  $("#dl-csv").addEventListener("click", () => download("/api/download/results.csv", request()));
  $("#dl-json").addEventListener("click", () => download("/api/download/results.json", request()));
  $("#run-sensitivity").addEventListener("click", runSensitivity);
  $("#model-filter").addEventListener("input", drawModels);
  for (const th of document.querySelectorAll("#model-table th")) {
    th.addEventListener("click", () => {
      state.sort = {key: th.dataset.key, dir: state.sort.key === th.dataset.key ? -state.sort.dir : 1};
      drawModels();
    });
  }
  $("#rl-form").addEventListener("submit", runRl);
  await Promise.all([loadScenario(sel.value), loadModels().catch(e => setStatus(e.message, "error")),
                     loadRl().catch(e => { $("#rl-fields").replaceChildren(el("p", {class: "error", text: e.message})); })]);
  await runForecast();
  document.body.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", () => start().catch(e => setStatus(e.message, "error")));
