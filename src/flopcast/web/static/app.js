// flopcast dashboard: plain JavaScript over the /api endpoints, charts drawn as inline SVG.
// Nothing here estimates: every number comes from the API (the library); this file draws it.
"use strict";

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

async function api(path, body, signal) {
  const opts = body === undefined ? {signal} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), signal};
  const r = await fetch(path, opts);
  if (!r.ok) {
    let msg = `${r.status} ${r.statusText}`;
    try {
      const j = await r.json();
      // "field: what was wrong", once: the server's message may already start with the field
      const line = d => {
        const loc = (d.loc || []).slice(1);
        const last = String(loc[loc.length - 1] ?? "");
        return !loc.length || (last && d.msg.startsWith(last)) ? d.msg : `${loc.join(".")}: ${d.msg}`;
      };
      if (Array.isArray(j.detail)) msg = j.detail.map(line).join("; ");
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
  const kind = capKind();
  for (const p of sc.parameters) {
    if (!shownFor(p, kind)) continue;
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
    input.addEventListener("change", () => {
      setOverride(p.key, input.value);
      if (p.key === "cap.kind") buildParameters(state.scenario);  // show that cap's own fields
    });
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

// The cap kind chosen now (the user's, else the scenario's), and whether a parameter belongs to
// it: parameters declared for one cap kind (budget.*, cap.share) show only under that kind.
function capKind() {
  return state.overrides["cap.kind"] ?? state.defaults["cap.kind"];
}

function shownFor(p, kind) {
  return !p.cap_kinds || p.cap_kinds.length === 0 || p.cap_kinds.includes(kind);
}

function setOverride(key, value) {
  if (value === state.defaults[key]) delete state.overrides[key];
  else state.overrides[key] = value;
  schedule();
}

function request() {
  return {
    scenario: $("#scenario").value,
    overrides: inUseOverrides(),
    n: +$("#samples").value,
    seed: +$("#seed").value,
    horizon_years: +$("#horizon").value,
  };
}

// Overrides of the parameters the chosen cap kind uses (a budget typed in, then the cap switched
// back to a share, is not sent).
function inUseOverrides() {
  const kind = capKind();
  const byKey = Object.fromEntries((state.scenario?.parameters || []).map(p => [p.key, p]));
  return Object.fromEntries(Object.entries(state.overrides)
    .filter(([k]) => !byKey[k] || !byKey[k].cap_kinds || byKey[k].cap_kinds.length === 0
                     || byKey[k].cap_kinds.includes(kind)));
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
    markStale(null);
    setStatus(`n = ${data.n.toLocaleString()} draws, seed ${data.seed}`, "ok");
  } catch (e) {
    if (e.name === "AbortError") return;
    setStatus(e.message, "error");
    markStale(e.message);
  }
}

// A failed update leaves the last good result on screen, greyed out and labelled stale, so it is
// never read as the answer to the inputs now in the form.
function markStale(error) {  // error: the failure's message, or null once an update succeeds
  const box = $("#results");
  const note = $("#stale-note");
  if (error === null) {
    box.classList.remove("stale");
    delete box.dataset.stale;
    note.hidden = true;
    return;
  }
  if (!state.last) return;  // nothing shown yet: the error alone says it
  box.classList.add("stale");
  box.dataset.stale = "1";
  note.hidden = false;
  note.textContent = "Stale: the result below is for the previous inputs; the update failed (the reason is above).";
}

// What the dashboard leads with: what the records show as of the data date, then the forecast
// from then on; a forecast date the data date has passed is labelled past, never a prediction.
function renderStatus(data) {
  const st = data.status;
  const box = $("#asof");
  if (!st) { box.hidden = true; return; }
  box.hidden = false;
  const names = Object.fromEntries((state.models || []).map(m => [m.id, m.name]));
  const rec = c => `${names[c.id] || c.id} (${c.release_date}), RL-stage ${sci(c.rl)} FLOP against a cap of ` +
    `${c.cap == null ? NOT_APPLICABLE : sci(c.cap)} FLOP (${c.against || ""}), P(met) = ${pct(c.prob_met)}`;
  const kappa = st.cap.fraction_of_frontier_run;
  const target = kappa == null ? "its cap (the scenario's budget)"
    : `its cap (${sci(kappa)} x the largest total training compute released by then)`;
  $("#asof-title").textContent = `As of ${st.data_date}: what the records show`;
  $("#asof-status").textContent = st.met && st.first_met
    ? `Reasoning-stage compute has met ${target}: the first record to meet it is ${rec(st.first_met)}.`
    : st.closest ? `Reasoning-stage compute has not met ${target}; the closest record is ${rec(st.closest)}.`
      : `No record has an RL-stage figure to hold against ${target}.`;
  const after = st.from_data_date, m = after.meeting_date_given_not_met;
  $("#asof-after").textContent = `The forecast gave a meeting by ${st.data_date} a probability of ` +
    `${fmtPercent(after.prob_met_before, 3)}; from then on, given no meeting by then, ` +
    (m.median ? `it puts the meeting on ${m.median} (median; 90% interval ${m.p5 || "never"} to ${m.p95 || "never"}).`
      : "its median draw never meets the cap.");
  const p = after.prob_met_before, c = $("#asof-contradiction");
  const clash = (p >= 0.9 && !st.met) || (p <= 0.1 && st.met);
  c.hidden = !clash;
  c.textContent = clash ? `The records contradict the forecast: it gave ${fmtPercent(p, 3)} to a meeting by ${st.data_date}, ` +
    `and ${st.met ? "a record shows one" : "no record shows one"}.` : "";
  const rows = [...(st.records || [])].sort((a, b) => b.prob_met - a.prob_met).slice(0, 10);
  $("#asof-records tbody").replaceChildren(...rows.map(r => el("tr", {"data-id": r.id},
    el("td", {text: names[r.id] || r.id}), el("td", {class: "date", text: r.release_date}),
    el("td", {class: "num", text: sci(r.rl)}), el("td", {class: "num", text: r.cap == null ? NOT_APPLICABLE : sci(r.cap)}),
    el("td", {text: r.against || ""}), el("td", {class: "num", text: pct(r.prob_met)}))));
  const mi = data.method || {};
  $("#method").textContent = mi.used === "exact"
    ? `Method: closed form (${String(mi.why || "").replace(/^closed form: /, "")}).`
    : `Method: Monte Carlo, ${data.n.toLocaleString()} draws${mi.why ? ` (${mi.why})` : ""}.`;
}

function render(data) {
  renderStatus(data);
  const md = data.meeting_date;
  const start = data.result?.start_date || data.headroom_date;
  const dataDate = data.status?.data_date;
  $("#meeting-label").textContent = `Forecast from its start (${start || UNKNOWN}): median meeting date`;
  $("#meeting-median").textContent = md.median || "never (median draw)";
  const past = Boolean(dataDate && md.median && md.median <= dataDate);
  $("#meeting-past").hidden = !past;
  $("#meeting-past").textContent = past ? `past as of the data date ${dataDate}: not a prediction (see above)` : "";
  $("#meeting-interval").textContent = `90%: ${md.p5 || NOT_APPLICABLE} to ${md.p95 || "never"}`;
  const h = data.headroom_oom;
  $("#headroom-label").textContent = `Headroom at ${data.headroom_date || data.result?.start_date || UNKNOWN}`;
  $("#headroom").textContent = h ? `${sci(h.median)} OOM` : UNKNOWN;
  $("#headroom-interval").textContent = h ? `90%: ${sci(h.lo ?? h.p5)} to ${sci(h.hi ?? h.p95)} OOM` : "";
  drawFan($("#fan-chart"), data, state.models);
  drawHistogram($("#histogram"), data);
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
      el("td", {class: "key", text: row.parameter}),
      el("td", {class: "num", text: row.low_text ?? sci(row.low)}),
      el("td", {class: "num", text: row.high_text ?? sci(row.high)}),
      el("td", {class: "date", text: row.median_low || "never"}),
      el("td", {class: "date", text: row.median_high || "never"}),
      el("td", {class: "num", text: row.swing_text ?? sci(row.swing_years)}))));
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
    el("td", {class: "num", text: ciText(m.pretraining)}),
    el("td", {class: "num", text: ciText(m.rl, sci, m.reasoning ? UNKNOWN : NOT_APPLICABLE)}),
    el("td", {class: "num", text: ciText(m.rl_share, pct, m.reasoning ? UNKNOWN : NOT_APPLICABLE)}),
    el("td", {text: m.confidence || UNKNOWN}))));
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
  if (!s) return UNKNOWN;
  return `${sci(s.median)}${unit} (90% CI ${sci(s.lo ?? s.p5)} to ${sci(s.hi ?? s.p95)})`;
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
    if (q.bound) {
      const b = q.bound, u = q.implied_utilization;
      sec.append(el("p", {class: "bound", text: `Physics bound: ${sci(b.bound_flop)} FLOP (${sci(b.chip_hours)} ` +
        `${b.chip}-hours x 3,600 s x ${sci(b.peak_flop_per_s)} FLOP/s, ${b.precision} peak)` +
        (u ? `; the current value implies ${pct(u.median)} (90% CI ${pct(u.lo ?? u.p5)} to ${pct(u.hi ?? u.p95)}) of peak` : "")}));
    }
    if ((q.history || []).length) {
      sec.append(el("div", {class: "history"}, el("strong", {text: "Superseded history: "}),
        el("ul", {}, ...q.history.map(h => el("li", {text: h})))));
    }
    if (q.widening) sec.append(el("p", {class: "relation", text: "The current lines disagree: the pooled interval is widened to cover them."}));
    const kinds = {disclosure: "lab disclosure", outside: "outside estimate", count: "flopcast's own count"};
    const ol = el("ol", {class: "lines"});
    for (const line of q.lines || []) {
      const li = el("li", {class: line.current === false ? "line superseded" : "line", "data-current": String(line.current !== false)});
      if (line.label) li.append(el("strong", {text: line.label + ": "}));
      li.append(el("code", {text: line.expression}));
      if (line.value) li.append(el("span", {class: "value", text: ` = ${summaryText(line.value, unit)}`}));
      const state_ = line.current === false ? `superseded by ${line.superseded_by || "a later line"}` : "current";
      const meta = [state_, line.kind && (kinds[line.kind] || line.kind), line.recipe && `recipe ${[].concat(line.recipe).join(" + ")}`,
                    line.method && `method: ${line.method}`, `confidence: ${line.confidence}`,
                    line.date && `dated ${line.date}`,
                    line.implied_utilization != null && `implies ${pct(line.implied_utilization)} of peak`].filter(Boolean).join(" · ");
      li.append(el("div", {class: "meta", text: meta}));
      if (line.above_bound) li.append(el("div", {class: "above-bound", text: "above the physics bound: more than 100% of peak over the published hours"}));
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
    // A shipped run brings its published chip and precision, and that chip's cited price
    // (DeepSeek: H800 at $2 per hour, as in DeepSeek's paper), so the hours compare with theirs.
    const p = (opt.presets || {})[preset.value];
    if (p && p.chip) $("#rl-chip").value = p.chip;
    if (p && p.precision && $("#rl-precision")) $("#rl-precision").value = p.precision;
    $("#rl-usd_per_hour").value = p && p.usd_per_hour != null ? p.usd_per_hour : "";
  };
  preset.addEventListener("change", sync);
  sync();
}

function summ(s, f = sci) {
  if (!s) return "–";
  return s.lo === s.hi ? f(s.median) : `${f(s.median)} (${f(s.lo)} to ${f(s.hi)})`;
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
      el("p", {id: "rl-cost", text: d.cost_usd ? `Cost at $${sci(d.usd_per_hour)}/chip-hour: $${summ(d.cost_usd)}` : "No price known for this chip: give one."}),
      ...publishedLines(d.published),
      ...(d.notes || []).map(n => el("p", {class: "hint", text: n})));
  } catch (e) {
    out.replaceChildren(el("p", {class: "error", text: e.message}));
  }
}

function publishedLines(pub) {
  if (!pub || !pub.chip_hours) return [];
  const hours = pub.chip_hours.value, cost = pub.cost_usd && pub.cost_usd.value;
  return [el("p", {id: "rl-published", class: "hint",
                   text: `Published: ${sci(hours)} ${pub.chip} chip-hours` + (cost ? `, $${sci(cost)}` : "")})];
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
