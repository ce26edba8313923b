(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  // the state as GET /api/state gives it; records from the event stream are folded in as the server folds them
  let state = null;
  let drawPending = false;
  let connection = "connecting";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgEl(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function fixed(x, digits) {
    return Number.isFinite(x) ? x.toFixed(digits) : "—";
  }

  function count(x) {
    if (!Number.isFinite(x)) return "—";
    if (x >= 1e9) return (x / 1e9).toFixed(2) + "G";
    if (x >= 1e6) return (x / 1e6).toFixed(2) + "M";
    if (x >= 1e4) return (x / 1e3).toFixed(1) + "k";
    return String(Math.round(x));
  }

  function short(x) {
    if (!Number.isFinite(x)) return "—";
    if (x === 0) return "0";
    const a = Math.abs(x);
    if (a >= 1e4 || a < 1e-2) return x.toExponential(1).replace("e+", "e");
    return String(Number(x.toPrecision(3)));
  }

  // ---------------------------------------------------------------- the fold (as WatchState.add)

  function removeAfter(list, step) {
    while (list.length && list[list.length - 1].step > step) list.pop();
  }

  function evaluation(step) {
    let e = state.evaluations.find((x) => x.step === step);
    if (!e) {
      e = { step: step };
      state.evaluations.push(e);
      state.evaluations.sort((a, b) => a.step - b.step);
    }
    return e;
  }

  function without(record, field) {
    const copy = Object.assign({}, record);
    delete copy[field];
    return copy;
  }

  function apply(record) {
    switch (record.type) {
      case "run":
        removeAfter(state.steps, record.start);
        removeAfter(state.layers, record.start);
        state.evaluations = state.evaluations.filter((e) => e.step <= record.start);
        state.run = without(record, "type");
        state.step = record.start;
        state.finished = false;
        break;
      case "step":
        state.steps.push(without(record, "type"));
        state.step = record.step;
        break;
      case "evaluation":
        Object.assign(evaluation(record.step), { train_loss: record.train_loss, val_loss: record.val_loss });
        break;
      case "sample":
        evaluation(record.step).sample = record.text;
        break;
      case "probe":
        evaluation(record.step).probe = record.explanation;
        break;
      case "layers":
        state.layers.push(without(record, "type"));
        break;
      case "end":
        state.finished = true;
        state.live = false;
        break;
      default:
        break;
    }
    state.events += 1;
  }

  // ---------------------------------------------------------------- charts

  const MARGIN = { left: 56, right: 14, top: 10, bottom: 24 };

  function ticks(lo, hi, n) {
    if (!(hi > lo)) return [lo];
    const raw = (hi - lo) / n;
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }

  /**
   * Draws series [{name, color, points: [[x, y]], dots}] into an svg: linear x from 0, y linear or log
   * (log: only positive values). xMax fixes the right end (the run's length) when given.
   */
  function chart(svg, series, options) {
    const width = svg.clientWidth || 600;
    const height = svg.clientHeight || 200;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    const log = !!options.log;
    const usable = (y) => Number.isFinite(y) && (!log || y > 0);
    const all = series.flatMap((s) => s.points.filter((p) => usable(p[1])));
    const nodes = [];
    if (!all.length) {
      nodes.push(svgEl("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "empty" }));
      nodes[0].textContent = options.empty || "nothing yet";
      svg.replaceChildren(...nodes);
      return;
    }
    const xMax = Math.max(options.xMax || 0, ...all.map((p) => p[0]), 1);
    let yLo = Math.min(...all.map((p) => p[1]));
    let yHi = Math.max(...all.map((p) => p[1]));
    const f = log ? Math.log10 : (v) => v;
    if (!log && options.zero) yLo = Math.min(0, yLo);
    if (yHi === yLo) { yHi = log ? yHi * 10 : yHi + 1; yLo = log ? yLo / 10 : yLo - (options.zero ? 0 : 1); }
    const plotW = width - MARGIN.left - MARGIN.right;
    const plotH = height - MARGIN.top - MARGIN.bottom;
    const sx = (x) => MARGIN.left + (x / xMax) * plotW;
    const sy = (y) => MARGIN.top + plotH - ((f(y) - f(yLo)) / (f(yHi) - f(yLo))) * plotH;

    const yTicks = log
      ? ticks(Math.floor(f(yLo)), Math.ceil(f(yHi)), 4).filter((e) => Number.isInteger(e)).map((e) => Math.pow(10, e))
        .filter((v) => v >= yLo && v <= yHi)
      : ticks(yLo, yHi, height > 150 ? 5 : 2);
    for (const v of yTicks) {
      nodes.push(svgEl("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: sy(v), y2: sy(v), class: "grid" }));
      const label = svgEl("text", { x: MARGIN.left - 6, y: sy(v) + 4, "text-anchor": "end" });
      label.textContent = short(v);
      nodes.push(label);
    }
    for (const v of ticks(0, xMax, 6)) {
      const label = svgEl("text", { x: sx(v), y: height - 6, "text-anchor": "middle" });
      label.textContent = options.xLabel ? options.xLabel(v) : count(v);
      nodes.push(label);
    }
    nodes.push(svgEl("line", { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotH, class: "axis" }));
    nodes.push(svgEl("line", { x1: MARGIN.left, x2: width - MARGIN.right, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH, class: "axis" }));
    if (options.yName) {
      const name = svgEl("text", { x: MARGIN.left + 6, y: MARGIN.top + 10 });
      name.textContent = options.yName;
      nodes.push(name);
    }
    for (const s of series) {
      const points = s.points.filter((p) => usable(p[1]));
      if (!points.length) continue;
      const path = points.map((p, i) => (i ? "L" : "M") + sx(p[0]).toFixed(1) + " " + sy(p[1]).toFixed(1)).join("");
      const line = svgEl("path", { d: path, class: "series" });
      line.style.setProperty("stroke", s.color);
      line.dataset.series = s.name;
      line.dataset.points = String(points.length);
      nodes.push(line);
      if (s.dots) {
        for (const p of points) {
          const dot = svgEl("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 3.5 });
          dot.style.setProperty("fill", s.color);
          nodes.push(dot);
        }
      }
    }
    svg.replaceChildren(...nodes);
  }

  function colour(i, n) {
    return "hsl(" + Math.round((i * 360) / Math.max(n, 1)) + " 65% 50%)";
  }

  function legend(box, names) {
    box.replaceChildren(...names.map((name, i) => {
      const item = el("span", null, name);
      item.style.setProperty("--swatch", colour(i, names.length));
      return item;
    }));
  }

  // ---------------------------------------------------------------- drawing

  function xOf(step) {
    return $("x-axis").value === "tokens" ? step * (state.run.tokens_per_step || 0) : step;
  }

  function drawStats() {
    const run = state.run || {};
    const model = run.model || {};
    const name = model.name || "the model";
    $("title").textContent = "Watching " + name + " learn";
    document.title = "jgpt watch · " + name;
    const shape = [];
    if (model.parameters) shape.push(count(model.parameters) + " parameters");
    if (model.architecture) shape.push(model.architecture);
    if (model.layers) shape.push(model.layers + " layers");
    if (model.heads) shape.push(model.heads + " heads");
    if (model.embd) shape.push(model.embd + " dimensions");
    if (model.vocab_size) shape.push(model.vocab_size + " tokens in its vocabulary");
    $("shape").textContent = shape.join(" · ");
    const last = state.steps[state.steps.length - 1];
    const evals = state.evaluations.filter((e) => Number.isFinite(e.val_loss));
    const lastEval = evals[evals.length - 1];
    const status = state.finished ? "finished" : !state.live ? "stopped (replay)" : connection;
    const stats = [
      ["step", state.step + (run.total_steps ? " / " + run.total_steps : "")],
      ["tokens seen", count(state.step * (run.tokens_per_step || 0))],
      ["train loss", last ? fixed(last.loss, 4) : "—"],
      ["val loss", lastEval ? fixed(lastEval.val_loss, 4) : "—"],
      ["tokens/s", last ? count(last.tokens_per_s) : "—"],
      ["status", status],
    ];
    $("stats").replaceChildren(...stats.map(([label, value]) => {
      const box = el("div");
      box.append(el("dt", null, label), el("dd", null, value));
      return box;
    }));
  }

  function drawLoss() {
    const total = state.run.total_steps || 0;
    const xMax = xOf(total);
    const xLabel = $("x-axis").value === "tokens" ? count : (v) => String(v);
    chart($("loss-chart"), [
      { name: "train", color: "var(--accent)", points: state.steps.map((s) => [xOf(s.step), s.loss]) },
      { name: "validation", color: "var(--actual)", dots: true,
        points: state.evaluations.filter((e) => Number.isFinite(e.val_loss)).map((e) => [xOf(e.step), e.val_loss]) },
    ], { xMax: xMax, xLabel: xLabel, yName: "loss (thin: training, dots: validation)", empty: "waiting for the first step" });
    chart($("lr-chart"), [
      { name: "lr", color: "var(--muted)", points: state.steps.map((s) => [xOf(s.step), s.lr]) },
    ], { xMax: xMax, xLabel: xLabel, yName: "learning rate", zero: true });
    chart($("speed-chart"), [
      { name: "tokens/s", color: "var(--muted)", points: state.steps.map((s) => [xOf(s.step), s.tokens_per_s]) },
    ], { xMax: xMax, xLabel: xLabel, yName: "tokens/s", zero: true });
  }

  function drawLayers() {
    const names = state.layers.length ? state.layers[state.layers.length - 1].layers.map((l) => l.name) : [];
    const total = state.run.total_steps || 0;
    for (const [id, field] of [["grad", "grad_norm"], ["update", "update_ratio"]]) {
      const series = names.map((name, i) => ({
        name: name,
        color: colour(i, names.length),
        points: state.layers.map((m) => {
          const layer = m.layers.find((l) => l.name === name);
          return [xOf(m.step), layer ? layer[field] : NaN];
        }),
      }));
      chart($(id + "-chart"), series, { log: true, xMax: xOf(total), xLabel: $("x-axis").value === "tokens" ? count : String,
        empty: "waiting for the first measurement" });
      legend($(id + "-legend"), names);
    }
  }

  function drawSamples() {
    const box = $("samples");
    const samples = state.evaluations.filter((e) => typeof e.sample === "string");
    if (box.childElementCount === samples.length && samples.every((e, i) => box.children[i].dataset.step === String(e.step))) return;
    const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    box.replaceChildren(...samples.map((e) => {
      const article = el("article", "sample");
      article.dataset.step = String(e.step);
      article.append(el("h3", null, "step " + e.step + (Number.isFinite(e.val_loss) ? " · val loss " + fixed(e.val_loss, 4) : "")),
        el("pre", null, e.sample));
      return article;
    }));
    if (!samples.length) box.append(el("p", "note", "No sample yet: one comes at each evaluation."));
    if (atEnd) box.scrollTop = box.scrollHeight;
  }

  // ---------------------------------------------------------------- the probe

  let probeSteps = [];
  let shownProbe = null;
  let view = null; // the layer and head picked in the explain page, kept as the slider moves

  function probeFrame() {
    return $("probe-frame");
  }

  function rememberView() {
    const doc = probeFrame().contentDocument;
    const layer = doc && doc.getElementById("layer");
    const head = doc && doc.getElementById("head");
    if (layer && head) view = { layer: layer.value, head: head.value };
  }

  function restoreView() {
    const doc = probeFrame().contentDocument;
    if (!view || !doc) return;
    for (const id of ["layer", "head"]) {
      const picker = doc.getElementById(id);
      if (picker && [...picker.options].some((o) => o.value === view[id]) && picker.value !== view[id]) {
        picker.value = view[id];
        picker.dispatchEvent(new Event("change"));
      }
    }
  }

  function showProbe(index) {
    const step = probeSteps[index];
    const e = state.evaluations.find((x) => x.step === step);
    $("probe-label").textContent = "step " + step + " of " + (state.run.total_steps || "?") +
      (e && Number.isFinite(e.val_loss) ? " · val loss " + fixed(e.val_loss, 4) : "");
    if (shownProbe === step) return;
    rememberView();
    shownProbe = step;
    probeFrame().src = "probe/" + step;
  }

  function drawProbe() {
    $("probe-text").textContent = state.run.probe ? "“" + state.run.probe + "”" : "";
    const steps = state.evaluations.filter((e) => e.probe).map((e) => e.step);
    const slider = $("probe-step");
    const following = !probeSteps.length || Number(slider.value) === probeSteps.length - 1;
    if (steps.length === probeSteps.length && steps.every((s, i) => s === probeSteps[i])) return;
    probeSteps = steps;
    slider.max = String(Math.max(0, steps.length - 1));
    slider.disabled = steps.length === 0;
    if (!steps.length) {
      $("probe-label").textContent = "none yet: the first comes at the first evaluation";
      return;
    }
    if (following || Number(slider.value) > steps.length - 1) slider.value = String(steps.length - 1);
    showProbe(Number(slider.value));
  }

  // ---------------------------------------------------------------- start

  function draw() {
    drawPending = false;
    drawStats();
    drawLoss();
    drawLayers();
    drawProbe();
    drawSamples();
  }

  function schedule() {
    if (!drawPending) {
      drawPending = true;
      requestAnimationFrame(draw);
    }
  }

  function listen() {
    if (!state.live) return;
    const events = new EventSource("api/events?from=" + state.events);
    events.onopen = () => { connection = "live"; schedule(); };
    events.onmessage = (message) => {
      apply(JSON.parse(message.data));
      schedule();
      if (!state.live) events.close();
    };
    events.onerror = () => {
      connection = events.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting";
      schedule();
    };
  }

  $("x-axis").addEventListener("change", schedule);
  $("probe-step").addEventListener("input", () => showProbe(Number($("probe-step").value)));
  probeFrame().addEventListener("load", restoreView);
  window.addEventListener("resize", schedule);

  fetch("api/state").then((response) => {
    if (!response.ok) throw new Error("GET api/state: " + response.status);
    return response.json();
  }).then((json) => {
    state = json;
    connection = state.live ? "connecting" : "replay";
    draw();
    listen();
  }).catch((error) => {
    $("stats").replaceChildren(el("p", "note", "Cannot read the run: " + error.message));
  });
})();
