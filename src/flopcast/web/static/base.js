// flopcast dashboard basics: DOM helpers, and number and date text. fmtNumber mirrors flopcast.core.fmt.number (the one
// number formatter): two significant figures, a compact exponent (9.9e22, never 9.9e+22), plain
// digits between 1e-3 and 1e4 with one more figure (0.25, 140), and a mantissa that never rounds
// up to ten (9.96e25 prints 1e26). The browser test checks it against the Python formatter.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";

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


const UNKNOWN = "unknown";       // flopcast.core.fmt.UNKNOWN: the public record is silent
const NOT_APPLICABLE = "n/a";    // flopcast.core.fmt.NOT_APPLICABLE: the quantity does not exist

function roundSig(x, digits) {
  return Number(x.toPrecision(digits));
}

function fmtNumber(x, digits = 2, missing = UNKNOWN) {
  if (x === null || x === undefined || Number.isNaN(x)) return missing;
  x = Number(x);
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e4) return String(roundSig(x, digits + 1));
  let [mantissa, exp] = x.toExponential(digits - 1).split("e");
  if (mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
  return `${mantissa}e${Number(exp)}`;
}

function fmtPercent(x, digits = 2, missing = UNKNOWN) {
  if (x === null || x === undefined || Number.isNaN(x)) return missing;
  return `${roundSig(100 * Number(x), digits)}%`;
}

const sci = fmtNumber;
const pct = x => fmtPercent(x);

// A summary's median and its own 90% interval (lo/hi; p5/p95 from producers that predate them).
function ciText(s, f = sci, missing = UNKNOWN) {
  if (!s) return missing;
  return `${f(s.median)} (${f(s.lo ?? s.p5)} to ${f(s.hi ?? s.p95)})`;
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
